import { readCluster } from '../reconcile/read-cluster.js';
import { syncInstances } from '../reconcile/sync.js';
import type { SyncDeps } from '../reconcile/sync-deps.js';
import { portServiceHost, portServiceName } from '../config/gateway-services.js';
import type { Change } from '../plan/plan-types.js';
import { explainChain, type EndpointChain } from './explain-chain.js';
import { resolveInstance } from './render-command.js';
import type { ResyncTrigger } from '../audit/audit-record.js';
import { grantsOf, servedNamespaces, type AccessGrant } from '../plan/resolve-access.js';

export interface Explained {
  readonly instance: string;
  /** What a reconcile of the instance would write now (a dry run: nothing is written). */
  readonly changes: readonly Change[];
  /** Where a pod's connection to each of its endpoints goes, link by link, in the live objects. */
  readonly chains: readonly EndpointChain[];
  /** ACCESS_MODE=declared: the declarations that let workloads reach the instance (none: nobody may). */
  readonly access?: { readonly grants: readonly AccessGrant[] };
}

/** `explain INSTANCE`: the instance's dry-run plan, and the chain its live objects give each endpoint. */
export async function explainCommand(deps: SyncDeps, given: string, trigger: ResyncTrigger): Promise<Explained> {
  const { cluster } = deps.settings;
  const name = resolveInstance(given, deps.settings.process);
  const instance = await deps.instances.get(name.full);
  const view = { kind: 'scope', instances: [name] } as const;
  const read = await readCluster(deps, view);
  const run = await syncInstances(deps, [{ name, ...(instance ? { instance } : {}) }], trigger, {
    dryRun: true,
    view,
    read,
  });
  const chains = explainChain({
    objects: read.owned,
    servicePorts: read.services?.flatMap((s) => s.ownedPorts) ?? [],
    gatewayService: (port) => `${cluster.egressGateway.namespace}/${portServiceName(cluster, port)}`,
    gatewayHost: (port) => portServiceHost(cluster, port),
  });
  const served = servedNamespaces(cluster.exportTo, cluster.istioNamespace);
  const access = read.declarations
    ? {
        access: {
          grants: grantsOf(read.declarations.declarations, instance ?? { name: name.full }, {
            ...(served ? { servedNamespaces: served } : {}),
          }),
        },
      }
    : {};
  return { instance: name.full, changes: run.changes.filter((c) => c.action !== 'unchanged'), chains, ...access };
}
