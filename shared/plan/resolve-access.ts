import { NO_ACCESS, type AccessDeclaration, type InstanceAccess } from '../model/access.js';
import type { MemorystoreInstance } from '../model/instance.js';
import { selects } from '../model/label-selector.js';

/**
 * Least access, resolved: from the declarations of the served namespaces and the instances, who may reach each
 * instance. Pure: the sync reads both and passes them in (shared/reconcile/access-input.ts).
 */

/** A declaration that names something the deployment does not have: reported at every resync, never kept silently. */
export interface UnmatchedDeclaration {
  /** `namespace/name` of the declaration. */
  readonly declaration: string;
  readonly reason: string;
}

export interface ResolvedAccess {
  /** Who may reach each instance that some declaration names, by `InstanceName.full`; the others get NO_ACCESS. */
  readonly access: ReadonlyMap<string, InstanceAccess>;
  /** Declarations naming an identity not among the instances, or whose selector matches none of them. */
  readonly unmatched: readonly UnmatchedDeclaration[];
  /** Declarations in namespaces the deployment does not serve, as `namespace/name`: ignored. */
  readonly ignored: readonly string[];
}

export interface AccessScope {
  /** The mesh's trust domain (ACCESS_TRUST_DOMAIN), the first part of every principal. */
  readonly trustDomain: string;
  /** Namespaces whose declarations count; undefined: every namespace (SERVICE_ENTRY_EXPORT_TO holds `*`). */
  readonly servedNamespaces?: ReadonlySet<string>;
}

/**
 * The namespaces the deployment serves: those SERVICE_ENTRY_EXPORT_TO exports the routes to (`.` is the Istio
 * namespace itself); undefined when it exports to every namespace (`*`). A declaration elsewhere could never be given
 * a route, so it is ignored rather than reported.
 */
export function servedNamespaces(exportTo: readonly string[], istioNamespace: string): Set<string> | undefined {
  if (exportTo.includes('*')) return undefined;
  return new Set(exportTo.map((n) => (n === '.' ? istioNamespace : n)));
}

export const principalOf = (trustDomain: string, namespace: string, serviceAccount: string): string =>
  `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;

export const declarationKey = (d: Pick<AccessDeclaration, 'namespace' | 'name'>): string => `${d.namespace}/${d.name}`;

interface Grant {
  readonly namespaces: Set<string>;
  readonly principals: Set<string>;
  readonly declaredBy: Set<string>;
}

/** The instances a declaration names among `instances`, and what it names that is not there. */
function named(
  declaration: AccessDeclaration,
  instances: readonly MemorystoreInstance[],
): { names: Set<string>; missing: string[] } {
  const known = new Set(instances.map((i) => i.name));
  const names = new Set(declaration.instances.filter((i) => known.has(i)));
  const missing: string[] = declaration.instances.filter((i) => !known.has(i));
  if (declaration.selector.length > 0) {
    const selected = instances.filter((i) => selects(declaration.selector, i.labels));
    for (const instance of selected) names.add(instance.name);
    if (selected.length === 0) missing.push('its selector matches no instance');
  }
  return { names, missing };
}

export function resolveAccess(
  declarations: readonly AccessDeclaration[],
  instances: readonly MemorystoreInstance[],
  scope: AccessScope,
): ResolvedAccess {
  const grants = new Map<string, Grant>();
  const unmatched: UnmatchedDeclaration[] = [];
  const ignored: string[] = [];
  for (const declaration of declarations) {
    const key = declarationKey(declaration);
    if (scope.servedNamespaces && !scope.servedNamespaces.has(declaration.namespace)) {
      ignored.push(key);
      continue;
    }
    const { names, missing } = named(declaration, instances);
    for (const what of missing)
      unmatched.push({
        declaration: key,
        reason: what.startsWith('its ') ? what : `it names ${what}, which is not among the synced instances`,
      });
    for (const name of names) {
      const grant = grants.get(name) ?? { namespaces: new Set(), principals: new Set(), declaredBy: new Set() };
      grants.set(name, grant);
      grant.declaredBy.add(key);
      if (declaration.serviceAccounts.length === 0) grant.namespaces.add(declaration.namespace);
      for (const account of declaration.serviceAccounts)
        grant.principals.add(principalOf(scope.trustDomain, declaration.namespace, account));
    }
  }
  const access = new Map(
    [...grants].map(([name, g]): [string, InstanceAccess] => [
      name,
      {
        namespaces: [...g.namespaces].sort(),
        principals: [...g.principals].sort(),
        declaredBy: [...g.declaredBy].sort(),
      },
    ]),
  );
  return { access, unmatched, ignored: ignored.sort() };
}

/** The access of one instance in declared mode: what the map holds for it, or no one. */
export const accessOf = (access: ReadonlyMap<string, InstanceAccess>, name: string): InstanceAccess =>
  access.get(name) ?? NO_ACCESS;

/** One declaration's grant of one instance, for `explain` and the `access` view: who, and how it names the instance. */
export interface AccessGrant {
  /** `namespace/name` of the declaration. */
  readonly declaration: string;
  readonly namespace: string;
  /** Empty: every workload of the namespace. */
  readonly serviceAccounts: readonly string[];
  readonly by: 'identity' | 'labels';
}

/** The grants of `instance` among the declarations of the served namespaces, in declaration order. */
export function grantsOf(
  declarations: readonly AccessDeclaration[],
  instance: Pick<MemorystoreInstance, 'name' | 'labels'>,
  scope: Pick<AccessScope, 'servedNamespaces'>,
): AccessGrant[] {
  return declarations.flatMap((d): AccessGrant[] => {
    if (scope.servedNamespaces && !scope.servedNamespaces.has(d.namespace)) return [];
    const byIdentity = d.instances.includes(instance.name);
    const byLabels = d.selector.length > 0 && selects(d.selector, instance.labels);
    if (!byIdentity && !byLabels) return [];
    const grant = { declaration: declarationKey(d), namespace: d.namespace, serviceAccounts: d.serviceAccounts };
    return [{ ...grant, by: byIdentity ? 'identity' : 'labels' }];
  });
}

/** The grant that lets `namespace/serviceAccount` reach the instance, if any. */
export const grantFor = (
  grants: readonly AccessGrant[],
  namespace: string,
  serviceAccount: string,
): AccessGrant | undefined =>
  grants.find(
    (g) => g.namespace === namespace && (g.serviceAccounts.length === 0 || g.serviceAccounts.includes(serviceAccount)),
  );
