import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { MAX_REPORT_RECORDS, RecordTally } from '../../../shared/reconcile/record-tally.js';

const record = (
  action: AuditRecord['action'],
  name: string,
  outcome: AuditRecord['outcome'] = 'applied',
): AuditRecord => ({
  id: name,
  time: '2026-11-25T10:00:00Z',
  trigger: { kind: 'resync' },
  instance: { name: `instances/${name}` },
  object: { api_version: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: 'istio-system', name },
  action,
  patch: [],
  dry_run: false,
  outcome,
  duration_ms: 0,
});

describe('a tally of records stays bounded at any size', () => {
  test('counts every record, keeps the first MAX_REPORT_RECORDS and counts the rest as omitted', () => {
    const tally = new RecordTally(7);
    tally.add([...Array(MAX_REPORT_RECORDS + 5).keys()].map((i) => record('create', `se-${i}`)));
    expect(tally.kept).toHaveLength(MAX_REPORT_RECORDS);
    expect(tally.omitted).toBe(5);
    expect(tally.counts).toEqual({ unchanged: 7, create: MAX_REPORT_RECORDS + 5 });
  });

  test('knows the instances with an applied write, not those whose writes failed or were only planned', () => {
    const tally = new RecordTally();
    tally.add([record('create', 'a'), record('create', 'b', 'failed'), record('delete', 'c', 'planned')]);
    expect([...tally.written]).toEqual(['instances/a']);
  });

  test("adding another tally's writes keeps one count of unchanged objects and the bound on kept records", () => {
    const tally = new RecordTally(3);
    tally.add([...Array(MAX_REPORT_RECORDS - 1).keys()].map((i) => record('create', `se-${i}`)));
    const later = new RecordTally(2);
    later.add([record('update', 'x'), record('update', 'y')]);
    tally.addWrites(later);
    expect(tally.counts).toEqual({ unchanged: 3, create: MAX_REPORT_RECORDS - 1, update: 2 });
    expect(tally.kept).toHaveLength(MAX_REPORT_RECORDS);
    expect(tally.omitted).toBe(1);
    expect(tally.written.has('instances/y')).toBe(true);
  });
});

test("adding only another tally's applied records leaves out what it failed or did not attempt", () => {
  const first = new RecordTally();
  first.add([record('create', 'a'), record('create', 'b', 'failed'), record('create', 'c', 'failed')]);
  const retry = new RecordTally();
  retry.add([record('create', 'b'), record('create', 'c')]);
  retry.addApplied(first);
  expect(retry.counts).toEqual({ create: 3 });
  expect(retry.kept.map((r) => r.id).sort()).toEqual(['a', 'b', 'c']);
});
