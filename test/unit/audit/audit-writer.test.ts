import type { AuditOutbox, OutboxContents, StashResult } from '../../../shared/audit/audit-outbox.js';
import { recordOf, type AuditRecord } from '../../../shared/audit/audit-record.js';
import { AuditWriter, type AuditPublisher } from '../../../shared/audit/audit-writer.js';
import { AuditDeliveryError } from '../../../shared/errors.js';
import { Logger, traceContextOf, traceOf } from '../../../shared/log.js';
import type { Change } from '../../../shared/plan/plan-types.js';

const instance = 'projects/p/locations/r/instances/x';
const change = (action: Change['action']): Change => ({
  target: 'object',
  action,
  ref: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: 'istio-system', name: 'redis-x' },
  instance,
  after: {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'redis-x', namespace: 'istio-system' },
    spec: {},
  },
});
const record = (action: Change['action']) =>
  recordOf(change(action), {
    id: `id-${action}`,
    time: new Date(0),
    trigger: { kind: 'resync', principal: 'op@example.com', scheduled: true },
    dryRun: false,
    instances: new Map(),
  });

function collector(): { lines: Array<Record<string, unknown>>; logger: Logger } {
  const lines: Array<Record<string, unknown>> = [];
  return {
    lines,
    logger: new Logger({ trace: 'projects/p/traces/abc' }, (line) =>
      lines.push(JSON.parse(line) as Record<string, unknown>),
    ),
  };
}

describe('AuditWriter', () => {
  test('one structured line per audited record, with labels and trace; unchanged objects are not audited', async () => {
    const { lines, logger } = collector();
    const published: string[] = [];
    const publisher: AuditPublisher = { publish: async (r) => void published.push(r.id) };
    await new AuditWriter(logger, publisher).write([record('create'), record('unchanged'), record('conflict')]);
    expect(published).toEqual(['id-create', 'id-conflict']);
    expect(lines).toEqual([
      expect.objectContaining({
        severity: 'NOTICE',
        message: 'audit record',
        record: expect.objectContaining({ id: 'id-create', action: 'create' }),
        'logging.googleapis.com/labels': {
          component: 'memorystore-egress-sync',
          action: 'create',
          instance,
          kind: 'ServiceEntry',
        },
        'logging.googleapis.com/trace': 'projects/p/traces/abc',
      }),
      expect.objectContaining({ severity: 'WARNING', record: expect.objectContaining({ action: 'conflict' }) }),
    ]);
  });

  test('a publish failure is logged with the record; the invocation fails only when delivery is required', async () => {
    const failing: AuditPublisher = { publish: async () => Promise.reject(new Error('topic gone')) };
    const optional = collector();
    await expect(new AuditWriter(optional.logger, failing, false).write([record('delete')])).resolves.toBeUndefined();
    expect(optional.lines[0]).toMatchObject({
      severity: 'ERROR',
      audit_delivery_error: 'Error: topic gone',
      record: { id: 'id-delete' },
    });
    const required = collector();
    await expect(new AuditWriter(required.logger, failing, true).write([record('delete')])).rejects.toThrow(
      AuditDeliveryError,
    );
    expect(required.lines).toHaveLength(1);
  });
});

/** An outbox in memory, as the ConfigMap one behaves: stash appends, keepOnly keeps what is still unpublished. */
class MemoryOutbox implements AuditOutbox {
  records: AuditRecord[] = [];
  failing = false;
  /** Ids refused as too large, as the ConfigMap outbox refuses a record larger than itself. */
  tooLarge = new Set<string>();
  corrupt: string[] = [];
  async stash(records: readonly AuditRecord[]): Promise<StashResult> {
    if (this.failing) throw new Error('HTTP 403 Forbidden');
    const refused = records.filter((r) => this.tooLarge.has(r.id));
    this.records.push(...records.filter((r) => !this.tooLarge.has(r.id)));
    return { refused, dropped: 0 };
  }
  async take(): Promise<OutboxContents | undefined> {
    const { records, corrupt } = this;
    return records.length + corrupt.length > 0 ? { records: [...records], version: '1', corrupt } : undefined;
  }
  async keepOnly(_taken: OutboxContents, unpublished: readonly AuditRecord[]): Promise<void> {
    this.records = [...unpublished];
  }
}

describe('the audit outbox', () => {
  const failing: AuditPublisher = { publish: async () => Promise.reject(new Error('NOT_FOUND: topic')) };

  test('keeps records whose publish failed, and the invocation succeeds even when delivery is required', async () => {
    const outbox = new MemoryOutbox();
    const { lines, logger } = collector();
    await new AuditWriter(logger, failing, true, outbox).write([
      record('create'),
      record('unchanged'),
      record('delete'),
    ]);
    expect(outbox.records.map((r) => r.id)).toEqual(['id-create', 'id-delete']);
    expect(lines.filter((l) => l['message'] === 'audit record' && l['severity'] === 'ERROR')).toHaveLength(2);
    expect(lines.some((l) => l['message'] === 'audit records kept in the outbox until publishing works again')).toBe(
      true,
    );
  });

  test('that cannot keep them fails the invocation when delivery is required, and only logs when it is not', async () => {
    const outbox = new MemoryOutbox();
    outbox.failing = true;
    const { logger } = collector();
    await expect(new AuditWriter(logger, failing, true, outbox).write([record('create')])).rejects.toThrow(
      AuditDeliveryError,
    );
    await expect(new AuditWriter(logger, failing, false, outbox).write([record('create')])).resolves.toBeUndefined();
  });

  test('is flushed to the publisher; what still fails stays', async () => {
    const outbox = new MemoryOutbox();
    outbox.records = [record('create'), record('delete')];
    const published: string[] = [];
    const flaky: AuditPublisher = {
      publish: async (r) =>
        r.id === 'id-delete' ? Promise.reject(new Error('UNAVAILABLE')) : void published.push(r.id),
    };
    await new AuditWriter(collector().logger, flaky, true, outbox).flush();
    expect(published).toEqual(['id-create']);
    expect(outbox.records.map((r) => r.id)).toEqual(['id-delete']);
  });
});

describe('traceOf', () => {
  test.each([
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736'],
    ['4bf92f3577b34da6a3ce929d0e0e4736/123;o=1', 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736'],
    ['nonsense', undefined],
    [undefined, undefined],
  ])('%s', (header, trace) => {
    expect(traceOf(header, 'p')).toBe(trace);
  });
});

describe('the trace context of a request, for Cloud Logging', () => {
  test.each([
    [
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      { trace: 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceSampled: true },
    ],
    [
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      { trace: 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceSampled: false },
    ],
    [
      '4bf92f3577b34da6a3ce929d0e0e4736/123;o=1',
      { trace: 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736', spanId: '000000000000007b', traceSampled: true },
    ],
    [
      '4bf92f3577b34da6a3ce929d0e0e4736/99999999999999999999',
      { trace: 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736' },
    ],
    ['4bf92f3577b34da6a3ce929d0e0e4736', { trace: 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736' }],
  ])('%s', (header, context) => {
    expect(traceContextOf(header, 'p')).toEqual(context);
  });

  test('a line carries trace, span and sampling; an ERROR line says where it was logged from', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = new Logger(traceContextOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'p'), (line) =>
      lines.push(JSON.parse(line) as Record<string, unknown>),
    );
    log.info({}, 'fine');
    log.error({}, 'broken');
    expect(lines[0]).toMatchObject({
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(lines[0]!['logging.googleapis.com/sourceLocation']).toBeUndefined();
    expect(lines[1]!['logging.googleapis.com/sourceLocation']).toMatchObject({
      file: expect.stringContaining('audit-writer.test'),
      line: expect.stringMatching(/^\d+$/),
    });
  });

  test('a record it refuses is logged as not kept (the others are), and fails the invocation when delivery is required', async () => {
    const failing: AuditPublisher = { publish: async () => Promise.reject(new Error('NOT_FOUND: topic')) };
    const outbox = new MemoryOutbox();
    outbox.tooLarge.add('id-delete');
    const { lines, logger } = collector();
    await expect(
      new AuditWriter(logger, failing, true, outbox).write([record('create'), record('delete')]),
    ).rejects.toThrow(AuditDeliveryError);
    expect(outbox.records.map((r) => r.id)).toEqual(['id-create']);
    const kept = lines.find((l) => l['message'] === 'audit records kept in the outbox until publishing works again');
    expect(kept).toMatchObject({ count: 1, ids: ['id-create'] });
    expect(lines).toContainEqual(
      expect.objectContaining({
        severity: 'ERROR',
        message: 'audit records could not be kept in the outbox; they are only in the log',
        ids: ['id-delete'],
      }),
    );
  });

  test('a flush reports the lines that were no record, and publishes the others', async () => {
    const outbox = new MemoryOutbox();
    outbox.records = [record('create')];
    outbox.corrupt = ['not json'];
    const published: string[] = [];
    const { lines, logger } = collector();
    await new AuditWriter(logger, { publish: async (r) => void published.push(r.id) }, true, outbox).flush();
    expect(published).toEqual(['id-create']);
    expect(lines).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', message: 'audit outbox lines that are no record were skipped' }),
    );
  });
});
