import { ConfigError } from '../errors.js';
import { grantFor, grantsOf, servedNamespaces, type AccessGrant } from '../plan/resolve-access.js';
import type { SyncDeps } from '../reconcile/sync-deps.js';
import { resolveInstance } from './render-command.js';

/** The answer of `access INSTANCE NAMESPACE/SERVICEACCOUNT`: may that workload reach the instance, and why. */
export interface AccessAnswer {
  readonly instance: string;
  readonly caller: string;
  readonly allowed: boolean;
  /** The declaration that grants it (declared mode), or why not / why open mode lets it. */
  readonly because: string;
  readonly grant?: AccessGrant;
  /** Every grant of the instance, for context. */
  readonly grants: readonly AccessGrant[];
}

const CALLER = /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/;

/** Who may reach an instance, from the declarations and the configuration, as `explain` and `access` show it. */
export async function grantsOfInstance(
  deps: SyncDeps,
  given: string,
): Promise<{ instance: string; grants: AccessGrant[] }> {
  const { process, cluster } = deps.settings;
  const name = resolveInstance(given, process);
  const instance = (await deps.instances.get(name.full)) ?? { name: name.full };
  if (!deps.cluster.listAccessDeclarations) return { instance: name.full, grants: [] };
  const { declarations } = await deps.cluster.listAccessDeclarations();
  const served = servedNamespaces(cluster.exportTo, cluster.istioNamespace);
  return { instance: name.full, grants: grantsOf(declarations, instance, served ? { servedNamespaces: served } : {}) };
}

export async function accessCommand(deps: SyncDeps, given: string, caller: string): Promise<AccessAnswer> {
  const { process, cluster } = deps.settings;
  const match = CALLER.exec(caller);
  if (!match)
    throw new ConfigError([
      { variable: 'NAMESPACE/SERVICEACCOUNT', message: `${JSON.stringify(caller)} is not NAMESPACE/SERVICEACCOUNT` },
    ]);
  const [namespace, account] = [match[1]!, match[3]!];
  if (process.access.mode === 'open') {
    const served = servedNamespaces(cluster.exportTo, cluster.istioNamespace);
    const allowed = !served || served.has(namespace);
    const name = resolveInstance(given, process).full;
    const because = allowed
      ? 'ACCESS_MODE is open: every namespace SERVICE_ENTRY_EXPORT_TO names may reach every instance'
      : `ACCESS_MODE is open, and SERVICE_ENTRY_EXPORT_TO does not name ${namespace}`;
    return { instance: name, caller, allowed, because, grants: [] };
  }
  const { instance, grants } = await grantsOfInstance(deps, given);
  const grant = grantFor(grants, namespace, account);
  const because = grant
    ? `granted by MemorystoreAccess ${grant.declaration} (${grant.serviceAccounts.length === 0 ? 'the whole namespace' : `service accounts ${grant.serviceAccounts.join(', ')}`}, by ${grant.by})`
    : `no MemorystoreAccess in ${namespace} names this instance for ${account}`;
  return { instance, caller, allowed: grant !== undefined, because, ...(grant ? { grant } : {}), grants };
}

/** `explain`'s section on who may reach the instance, one line per granting declaration. */
export function accessLines(grants: readonly AccessGrant[]): string {
  if (grants.length === 0) return 'who may reach it (ACCESS_MODE=declared): nobody; no MemorystoreAccess names it\n';
  const lines = grants.map((g) => {
    const who =
      g.serviceAccounts.length === 0
        ? `every workload of namespace ${g.namespace}`
        : g.serviceAccounts.map((sa) => `${g.namespace}/${sa}`).join(', ');
    return `  ${who}: MemorystoreAccess ${g.declaration} (by ${g.by})`;
  });
  return `who may reach it (ACCESS_MODE=declared):\n${lines.join('\n')}\n`;
}
