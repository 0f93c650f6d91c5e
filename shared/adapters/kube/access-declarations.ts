import type { AccessDeclaration } from '../../model/access.js';
import type { KubeObject } from '../../model/k8s-object.js';

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

/**
 * A MemorystoreAccess object as the resolver takes it, or undefined when its spec is not one the CRD admits (the CRD
 * validates on write, but an object written before a schema change, or by a client that bypassed it, is not trusted).
 * `spec.selector.matchLabels` becomes equality requirements.
 */
function stringsOf(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  return isStringList(value) ? value : undefined;
}

/** `matchLabels` as equality requirements; undefined when it is not a map of strings. */
function selectorOf(selector: { matchLabels?: unknown } | undefined): AccessDeclaration['selector'] | undefined {
  const labels = selector?.matchLabels ?? {};
  if (typeof labels !== 'object' || labels === null) return undefined;
  const pairs = Object.entries(labels as Record<string, unknown>);
  if (!pairs.every(([, v]) => typeof v === 'string')) return undefined;
  return pairs.map(([key, value]) => ({ key, op: 'equals' as const, value: value as string }));
}

export function declarationOf(object: KubeObject): AccessDeclaration | undefined {
  const spec = object.spec as { instances?: unknown; selector?: { matchLabels?: unknown }; serviceAccounts?: unknown };
  const instances = stringsOf(spec.instances);
  const serviceAccounts = stringsOf(spec.serviceAccounts);
  const selector = selectorOf(spec.selector);
  if (!instances || !serviceAccounts || !selector || instances.length + selector.length === 0) return undefined;
  return { namespace: object.metadata.namespace, name: object.metadata.name, instances, selector, serviceAccounts };
}
