import type { NodePorts, PortRange } from '../model/instance.js';

/**
 * The ports a sharded target's nodes listen on, behind every one of its PSC addresses. Google documents the same
 * range for both sharded products ("For all of your instance's Private Service Connect endpoints, you must allow TCP
 * port 6379, as well as TCP ports 11000 through 13047"):
 * https://cloud.google.com/memorystore/docs/cluster/connect-cluster-instance ("Allow ports in your firewall") and
 * https://cloud.google.com/memorystore/docs/valkey/connect-instance ("Allow ports on your firewall").
 * It is the product's, not the operator's: a narrower range would break clients sent to a node outside it, a wider
 * one would declare ports no node uses. So it is not configurable; a change of Google's is a change here.
 */
export const SHARDED_NODE_PORT_RANGE: PortRange = { from: 11000, to: 13047 };

/** The node ports behind these addresses (empty or unassigned ones dropped), or none while no address is known. */
export function shardedNodePorts(addresses: ReadonlyArray<string | null | undefined>): { nodePorts?: NodePorts } {
  const known = [...new Set(addresses.filter((a): a is string => typeof a === 'string' && a !== ''))].sort();
  return known.length > 0 ? { nodePorts: { addresses: known, range: SHARDED_NODE_PORT_RANGE } } : {};
}

/**
 * A PSC connection still in place: `NOT_FOUND` (PscConnectionStatus of memorystore.proto,
 * PSC_CONNECTION_STATUS_NOT_FOUND of cloud_redis_cluster.proto) says its forwarding rule is gone, and its address may
 * be given to something else. Enums arrive as strings, as the REST APIs' JSON writes them.
 */
export const isLive = (connection: { pscConnectionStatus?: unknown } | null | undefined): boolean => {
  const status = connection?.pscConnectionStatus;
  return !(typeof status === 'string' && status.endsWith('NOT_FOUND'));
};
