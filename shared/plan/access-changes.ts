import { accessNamespaces, ANNOTATION_ACCESS, decodeAccess, type InstanceAccess } from '../model/access.js';
import { instanceNameOf, refOf, type KubeObject, type ObjectRef } from '../model/k8s-object.js';
import { accessOf } from './resolve-access.js';

/**
 * Who may reach an instance, before and after a sync, for records, the dry run that shows who would lose access, and
 * the revoke guard. Before is what its live ServiceEntry says: the access annotation it was rendered with in declared
 * mode, or in open mode (no annotation) the namespaces its `exportTo` names (`*`: every namespace).
 */
export interface AccessChange {
  readonly instance: string;
  /** The live ServiceEntry the access was read from. */
  readonly ref: ObjectRef;
  readonly declaredBy: readonly string[];
  readonly added: { readonly namespaces: readonly string[]; readonly principals: readonly string[] };
  readonly removed: { readonly namespaces: readonly string[]; readonly principals: readonly string[] };
}

interface Reach {
  readonly namespaces: readonly string[];
  readonly principals: readonly string[];
}

function liveReach(serviceEntry: KubeObject): Reach {
  const declared = decodeAccess(serviceEntry.metadata.annotations?.[ANNOTATION_ACCESS]);
  if (declared) return { namespaces: declared.namespaces, principals: declared.principals };
  const exportTo = serviceEntry.spec['exportTo'];
  const namespaces = Array.isArray(exportTo) ? exportTo.filter((n): n is string => typeof n === 'string') : ['*'];
  return { namespaces: namespaces.length > 0 ? namespaces : ['*'], principals: [] };
}

const minus = (a: readonly string[], b: readonly string[]): string[] => a.filter((x) => !b.includes(x)).sort();

/** Who gains access and who loses it, from the live reach to the granted access. */
function reachDiff(before: Reach, granted: InstanceAccess): Pick<AccessChange, 'added' | 'removed'> {
  // A service account no longer named alone loses nothing while its whole namespace is granted.
  const stillReached = (principal: string): boolean =>
    granted.namespaces.some((n) => principal.includes(`/ns/${n}/sa/`));
  return {
    added: {
      namespaces: minus(granted.namespaces, before.namespaces),
      principals: minus(granted.principals, before.principals),
    },
    removed: {
      namespaces: minus(before.namespaces, granted.namespaces),
      principals: minus(before.principals, granted.principals).filter((p) => !stillReached(p)),
    },
  };
}

/**
 * The access changes of the instances in `names` that have a live ServiceEntry (a new instance has no one to take
 * access from, and its first write records it). Instances whose access stays the same are left out.
 */
export function accessChanges(
  names: readonly string[],
  owned: readonly KubeObject[],
  access: ReadonlyMap<string, InstanceAccess>,
): AccessChange[] {
  const entries = new Map<string, KubeObject>();
  for (const object of owned) {
    const name = instanceNameOf(object);
    if (object.kind === 'ServiceEntry' && name && !entries.has(name)) entries.set(name, object);
  }
  const changes: AccessChange[] = [];
  for (const instance of names) {
    const live = entries.get(instance);
    if (!live) continue;
    const granted = accessOf(access, instance);
    const { added, removed } = reachDiff(liveReach(live), granted);
    const changed = [added, removed].some((d) => d.namespaces.length + d.principals.length > 0);
    if (changed) changes.push({ instance, ref: refOf(live), declaredBy: granted.declaredBy, added, removed });
  }
  return changes;
}

/** Whether a change takes access from anyone. */
export const revokes = (change: AccessChange): boolean =>
  change.removed.namespaces.length + change.removed.principals.length > 0;

/**
 * The revoke guard, in the spirit of the prune guard and with the same fraction (MAX_PRUNE_FRACTION): both stop a
 * resync about to take away more than that share of what the deployment provides, a wrong answer from the cluster or
 * a deleted namespace of declarations looking the same as a wrong Memorystore listing. One setting, one question
 * for operators: "how much may one resync take away unasked?".
 */
export function revokeGuard(
  maxFraction: number,
): (changes: readonly AccessChange[], managed: number) => string | undefined {
  return (changes, managed) => {
    const revoking = changes.filter(revokes).length;
    if (managed === 0 || revoking / managed <= maxFraction) return undefined;
    return `plan revokes access to ${revoking} of ${managed} managed instances, more than MAX_PRUNE_FRACTION ${maxFraction}; nothing was changed. Check the dry run (who loses access to what) and the MemorystoreAccess declarations, then call again with force=true to apply.`;
  };
}

/**
 * The instances a change to `namespace`'s declarations can concern: those its declarations name now, and those whose
 * live ServiceEntry says the namespace may reach them (so a deleted declaration revokes what it granted).
 */
export function instancesConcerning(
  namespace: string,
  namedNow: ReadonlyMap<string, InstanceAccess>,
  owned: readonly KubeObject[],
): Set<string> {
  const concerned = new Set<string>();
  for (const [name, granted] of namedNow)
    if (granted.declaredBy.some((d) => d.startsWith(`${namespace}/`))) concerned.add(name);
  for (const object of owned) {
    const name = instanceNameOf(object);
    const live = decodeAccess(object.metadata.annotations?.[ANNOTATION_ACCESS]);
    if (object.kind === 'ServiceEntry' && name && live && accessNamespaces(live).includes(namespace))
      concerned.add(name);
  }
  return concerned;
}
