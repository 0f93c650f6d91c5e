import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { MAX_ANSWER_RECORDS, resyncAnswer } from '../../../shared/runtime/resync-answer.js';

const record = (action: AuditRecord['action'], name: string): AuditRecord => ({
  id: name, time: '2026-11-25T10:00:00Z', trigger: { kind: 'resync' }, instance: null,
  object: { api_version: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: 'istio-system', name },
  action, patch: [], dry_run: true, outcome: action === 'unchanged' ? 'unchanged' : 'planned', duration_ms: 0,
});

describe('the resync answer stays bounded at any size', () => {
  test('unchanged objects are counted in the summary but not listed', () => {
    const records = [record('unchanged', 'a'), record('create', 'b'), record('unchanged', 'c')];
    const answer = resyncAnswer({ dry_run: true, records, errors: [], summary: { unchanged: 2, create: 1 } });
    expect(answer.records.map((r) => r.object.name)).toEqual(['b']);
    expect(answer.summary).toEqual({ unchanged: 2, create: 1 });
    expect(answer.records_omitted).toBeUndefined();
  });

  test('past the limit, records are counted as omitted', () => {
    const records = [...Array(MAX_ANSWER_RECORDS + 5).keys()].map((i) => record('create', `se-${i}`));
    const answer = resyncAnswer({ dry_run: false, records, errors: [], summary: { create: records.length } });
    expect(answer.records).toHaveLength(MAX_ANSWER_RECORDS);
    expect(answer.records_omitted).toBe(5);
  });
});
