import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordOf } from '../../shared/audit/audit-record.js';
import { TERRAFORM_DIR } from '../../dev/terraform/load-terraform.js';

interface Column {
  name: string;
  type: string;
  fields?: Column[];
}

/** The BigQuery table takes the audit records as they are published: its columns must be the record's fields. */
test('the table schema has a column for every field of an audit record, and no other', () => {
  const schema = JSON.parse(readFileSync(join(TERRAFORM_DIR, 'audit-record-schema.json'), 'utf8')) as Column[];
  const record = recordOf(
    {
      target: 'object',
      action: 'conflict',
      ref: { apiVersion: 'v1', kind: 'Service', namespace: 'n', name: 'x' },
      instance: 'projects/p/locations/r/instances/i',
      reason: 'r',
    },
    {
      id: 'i',
      time: new Date(0),
      cluster: 'c',
      trigger: { kind: 'event', eventId: 'e', insertId: 'i', methodName: 'm', principal: 'p' },
      dryRun: false,
      instances: new Map([
        [
          'projects/p/locations/r/instances/i',
          { name: 'n', state: 'READY', phase: 'ready', endpoints: [{ role: 'primary', address: 'h', port: 1 }] },
        ],
      ]),
    },
  );
  const full = { ...record, error: 'e', trigger: { ...record.trigger, scheduled: false } };
  const shape = (value: object): unknown =>
    Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, v && typeof v === 'object' && !Array.isArray(v) ? shape(v) : true]),
    );
  const columns = (list: Column[]): unknown =>
    Object.fromEntries(list.map((c) => [c.name, c.type === 'RECORD' ? columns(c.fields ?? []) : true]));
  expect(columns(schema)).toEqual(shape(full));
});
