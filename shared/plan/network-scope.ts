import type { MemorystoreInstance } from '../model/instance.js';

/**
 * Whether a cluster's pods can reach an instance at all: a Redis or Memcached instance is reached from its
 * `authorizedNetwork` only, a Valkey or Redis Cluster endpoint from the VPC network its PSC connection is in. A
 * ServiceEntry for an address of another network can never work, and may point at something else there.
 *
 *   cluster networks   instance networks                 result
 *   unset              one, or several with a preferred  as mapped (no check)
 *   unset              several, none preferred           invalid (refused, not retried): which is the mesh's?
 *   set                none named                        as mapped (nothing to check yet: no endpoint either)
 *   set                one of them among the cluster's   the endpoints on the first such network (cluster's order)
 *   set                none among the cluster's          skipped with the reason; its objects there go
 */
export type NetworkDecision =
  | { readonly kind: 'reachable'; readonly instance: MemorystoreInstance }
  | { readonly kind: 'unreachable'; readonly reason: string };

/** Why an instance matches no network of the cluster: one record per instance and cluster says it. */
export const notOnClusterNetworks = (instance: readonly string[], cluster: readonly string[]): string =>
  `instance is on VPC network ${instance.join(', ')}, which this cluster's pods do not reach (CLUSTER_NETWORKS or the cluster's \`networks\`: ${cluster.join(', ')}): nothing is written for it here`;

/** Why an instance with endpoints in several networks is refused where the cluster names none. */
export const severalNetworks = (networks: readonly string[]): string =>
  `endpoints in ${networks.length} VPC networks (${networks.join(', ')}): which one is the mesh's is not known, so none is declared; set CLUSTER_NETWORKS (or the cluster's \`networks\`) to the networks its pods reach`;

/**
 * The instance as the cluster sees it: only its endpoints on the cluster's network. Where the cluster names no network
 * and nothing says which group is the mesh's, it is data the objects cannot hold (`invalid`): refused, live objects
 * kept, as before the cluster could name its networks.
 */
export function networkScope(
  instance: MemorystoreInstance,
  clusterNetworks: readonly string[] | undefined,
): NetworkDecision {
  if (!clusterNetworks || clusterNetworks.length === 0) {
    const unknown = instance.byNetwork && !instance.endpoints && !instance.invalid;
    return {
      kind: 'reachable',
      instance: unknown
        ? { ...instance, invalid: severalNetworks(instance.byNetwork.map((v) => v.network)) }
        : instance,
    };
  }
  const networks = instance.networks ?? [];
  const network = clusterNetworks.find((n) => networks.includes(n));
  if (networks.length > 0 && network === undefined)
    return { kind: 'unreachable', reason: notOnClusterNetworks(networks, clusterNetworks) };
  return { kind: 'reachable', instance: network === undefined ? instance : onNetwork(instance, network) };
}

/** The instance with the endpoints (and node ports) of one of its networks, if it has them per network. */
function onNetwork(instance: MemorystoreInstance, network: string): MemorystoreInstance {
  const view = instance.byNetwork?.find((v) => v.network === network);
  if (!view) return instance;
  const { byNetwork: _all, endpoints: _endpoints, nodePorts: _nodePorts, ...rest } = instance;
  return {
    ...rest,
    networks: [network],
    ...(view.endpoints ? { endpoints: view.endpoints } : {}),
    ...(view.nodePorts ? { nodePorts: view.nodePorts } : {}),
  };
}
