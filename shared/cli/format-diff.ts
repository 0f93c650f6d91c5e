import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { objectText } from '../model/instance.js';
import { refKey, type KubeObject } from '../model/k8s-object.js';
import { serviceObjectsOf } from '../plan/port-change.js';
import { isPortChange, type Change } from '../plan/plan-types.js';

/** YAML of an object as an operator reads it: the server's bookkeeping (resourceVersion) left out. */
function yamlOf(object: KubeObject | undefined): string {
  if (!object) return '';
  const { resourceVersion: _ignored, ...metadata } = object.metadata;
  return stringify({ ...object, metadata });
}

/** One change as a unified diff of YAML, like `kubectl diff`; conflicts and skips as a one-line note. */
export function formatChange(change: Change): string {
  const path = refKey(change.ref);
  if (change.action === 'conflict' || change.action === 'skipped')
    return `# ${change.action} ${objectText(change.ref)}: ${change.reason ?? ''}\n`;
  const objects = isPortChange(change) ? serviceObjectsOf(change) : change;
  const before = change.action === 'create' ? '' : yamlOf(objects.before);
  const after = change.action === 'delete' ? '' : yamlOf(objects.after);
  const header = `${change.action} ${path}${change.reason ? ` (${change.reason})` : ''}`;
  const diff = createTwoFilesPatch(`live/${path}`, `planned/${path}`, before, after, undefined, undefined, {
    context: 3,
  });
  return `# ${header}\n${diff.replace(/^=+\n/, '')}`;
}

export function formatPlan(changes: readonly Change[]): string {
  const shown = changes.filter((c) => c.action !== 'unchanged');
  if (shown.length === 0) return 'Nothing to change: the cluster matches every instance.\n';
  return shown.map(formatChange).join('\n');
}
