/**
 * Which instances a mesh may reach, by their Memorystore labels, in Kubernetes' equality-based selector syntax:
 * `key=value`, `key!=value`, `key` (has the label), `!key` (lacks it), comma-separated, all must hold.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#equality-based-requirement
 */
export type LabelRequirement =
  | { readonly key: string; readonly op: 'equals' | 'notEquals'; readonly value: string }
  | { readonly key: string; readonly op: 'exists' | 'absent' };

// Memorystore label keys and values: lowercase letters, digits, `_` and `-`, keys starting with a letter, at most 63.
// https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations.instances#Instance.FIELDS.labels
const KEY = '[a-z][a-z0-9_-]{0,62}';
const VALUE = '[a-z0-9_-]{0,63}';
const REQUIREMENT = new RegExp(`^(?:(!)(${KEY})|(${KEY})(?:(!=|==?)(${VALUE}))?)$`);

/** The requirements of a selector, or undefined if any part is malformed. An empty selector selects everything. */
export function parseLabelSelector(text: string): LabelRequirement[] | undefined {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const requirements: LabelRequirement[] = [];
  for (const part of parts) {
    const match = REQUIREMENT.exec(part);
    if (!match) return undefined;
    const [, not, absentKey, key, op, value] = match;
    if (not) requirements.push({ key: absentKey!, op: 'absent' });
    else if (!op) requirements.push({ key: key!, op: 'exists' });
    else requirements.push({ key: key!, op: op === '!=' ? 'notEquals' : 'equals', value: value ?? '' });
  }
  return requirements;
}

export function selects(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> = {},
): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'absent':
        return !has;
      case 'equals':
        return has && labels[r.key] === r.value;
      case 'notEquals':
        return !has || labels[r.key] !== r.value;
    }
  });
}
