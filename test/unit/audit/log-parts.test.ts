import { patchOf, recordOf, type AuditRecord } from '../../../shared/audit/audit-record.js';
import { AuditWriter, type AuditPublisher } from '../../../shared/audit/audit-writer.js';
import { logParts } from '../../../shared/audit/log-parts.js';
import { Logger } from '../../../shared/log.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';

// Cloud Logging rejects an entry over about 256 KB (https://cloud.google.com/logging/quotas): a record is never one
// line larger than that, and splitting it loses nothing.
const LOGGING_ENTRY_LIMIT = 256 * 1024;

const service = (ports: readonly { readonly port: number }[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'istio-egressgateway', namespace: 'istio-system' },
  spec: { ports },
});
/** Our ports on the egress gateway Service when `count` instances get theirs in one resync. */
const gatewayPorts = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    name: `tcp-cache-${i}-2975d0e49e-p`,
    port: 16000 + i,
    targetPort: 16000 + i,
    protocol: 'TCP',
  }));

function serviceRecord(count: number): AuditRecord {
  const after = service(gatewayPorts(count));
  const ref = { apiVersion: 'v1', kind: 'Service', namespace: 'istio-system', name: 'istio-egressgateway' };
  const record = recordOf(
    { target: 'object', action: 'update', ref, before: service([]), after },
    {
      id: 'r1',
      time: new Date(0),
      trigger: { kind: 'resync', principal: 'op@example.com', scheduled: false },
      dryRun: false,
      instances: new Map(),
    },
  );
  return { ...record, patch: patchOf(service([]), after) };
}

describe('audit records in the log', () => {
  test('a record with a small patch is one line, as it is', () => {
    const record = serviceRecord(3);
    expect(logParts(record)).toEqual([{ record }]);
  });

  test('the Service ports of 5,000 instances: several lines, each under the entry limit, the whole patch in order', async () => {
    const record = serviceRecord(5000);
    expect(Buffer.byteLength(JSON.stringify(record))).toBeGreaterThan(LOGGING_ENTRY_LIMIT);
    const raw: string[] = [];
    const published: AuditRecord[] = [];
    const publisher: AuditPublisher = { publish: async (r) => void published.push(r) };
    await new AuditWriter(new Logger({}, (line) => raw.push(line)), publisher).write([record]);

    expect(raw.length).toBeGreaterThan(1);
    for (const line of raw) expect(Buffer.byteLength(line)).toBeLessThan(LOGGING_ENTRY_LIMIT);
    const lines = raw.map((line) => JSON.parse(line) as { message: string; record: AuditRecord; patch_part: object });
    expect(lines.map((l) => l.patch_part)).toEqual(lines.map((_, i) => ({ index: i + 1, count: lines.length })));
    expect(lines.every((l) => l.message === 'audit record')).toBe(true);
    expect(lines.flatMap((l) => l.record.patch)).toEqual(record.patch);
    expect(lines.every((l) => l.record.id === 'r1' && l.record.object.kind === 'Service')).toBe(true);
    expect(published).toEqual([record]);
  });

  test('one operation over the entry limit alone (a huge spec): cut into slices of its text, each line under the limit', async () => {
    const spec = Object.fromEntries(
      Array.from({ length: 11_000 }, (_, i) => [`port-${i}`, `tcp-${i}-${'p'.repeat(90)}`]),
    );
    const after = { ...service([]), spec };
    const record = recordOf(
      {
        target: 'object',
        action: 'create',
        ref: { apiVersion: 'v1', kind: 'Service', namespace: 'n', name: 'x' },
        after,
      },
      {
        id: 'r2',
        time: new Date(0),
        trigger: { kind: 'resync', principal: 'op@example.com', scheduled: false },
        dryRun: false,
        instances: new Map(),
      },
    );
    const raw: string[] = [];
    await new AuditWriter(new Logger({}, (line) => raw.push(line))).write([record]);
    expect(raw.length).toBeGreaterThan(4);
    for (const line of raw) expect(Buffer.byteLength(line)).toBeLessThan(LOGGING_ENTRY_LIMIT);
    const lines = raw.map((line) => JSON.parse(line) as { record: AuditRecord; patch_text?: string });
    const whole = lines.flatMap((l) => l.record.patch);
    const spec_op = JSON.parse(lines.map((l) => l.patch_text ?? '').join('')) as unknown;
    expect([...whole.slice(0, 3), spec_op, ...whole.slice(3)]).toEqual(record.patch);
  });
});
