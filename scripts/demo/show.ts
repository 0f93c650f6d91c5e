import { stringify } from 'yaml';
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { objectText } from '../../shared/model/instance.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';

const bold = (text: string): string => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);

export function heading(text: string): void {
  process.stdout.write(`\n${bold(`== ${text}`)}\n`);
}

export function say(text: string): void {
  process.stdout.write(`   ${text}\n`);
}

/** The Istio objects as YAML, with the server's bookkeeping left out. */
export function showObjects(
  objects: readonly KubeObject[],
  ports: ReadonlyArray<{ port: number; name: string }>,
): void {
  if (objects.length === 0) say('(no Istio objects)');
  for (const object of objects) {
    const { name, namespace, labels } = object.metadata;
    const shown = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { name, namespace, labels },
      spec: object.spec,
    };
    process.stdout.write(`---\n${stringify(shown)}`);
  }
  const freed = ports.filter((p) => p.name.startsWith('tcp-freed-')).map((p) => p.port);
  const live = ports.filter((p) => !p.name.startsWith('tcp-freed-')).map((p) => p.port);
  say(
    `egress gateway Service ports: ${live.join(', ')}${freed.length > 0 ? ` (held in quarantine after a deletion: ${freed.join(', ')})` : ''}`,
  );
}

/** Objects by kind and name (the demo's objects are all in one namespace); a skipped instance by its identity. */
const what = (object: AuditRecord['object']): string =>
  object.kind === 'Instance' ? objectText(object) : `${object.kind}/${object.name}`;

export function showRecords(records: readonly AuditRecord[]): void {
  if (records.length === 0) say('audit: no records (nothing changed)');
  for (const r of records) {
    const by =
      r.trigger.kind === 'event'
        ? `${r.trigger.method_name?.split('.').pop()} by ${r.trigger.principal}`
        : `resync by ${r.trigger.principal}`;
    say(
      `audit: ${r.action.padEnd(8)} ${what(r.object)} -> ${r.outcome} (${r.patch.length} patch ops; ${by}; id ${r.id.slice(0, 8)})`,
    );
    if (r.action === 'skipped' && r.reason) say(`       why: ${r.reason}`);
  }
}
