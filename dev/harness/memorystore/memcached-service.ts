import { MEMCACHED_API } from './admin-api.js';
import { locationOf, validInstanceId, type AddressPool } from './instance-store.js';
import type { ProductSpec } from './product-backend.js';

/**
 * A Memorystore for Memcached instance as the local API keeps it (`google.cloud.memcache.v1.Instance`, proto-loader
 * form).
 */
export interface FakeMemcached {
  name: string;
  displayName: string;
  labels: Record<string, string>;
  state: string;
  nodeCount: number;
  nodeConfig: { cpuCount: number; memorySizeMb: number };
  memcacheNodes: Array<{ nodeId: string; zone: string; state: string; host: string; port: number }>;
  discoveryEndpoint: string;
  /**
   * cloud_memcache.proto Instance.authorized_network: "the full name of the Google Compute Engine network to which
   * the instance is connected. If left unspecified, the `default` network will be used."
   */
  authorizedNetwork: string;
}

// UpdateInstance's mask: cloud_memcache.proto documents `displayName`; labels and a resize (`nodeCount`, what
// `gcloud memcache instances update --node-count` changes) are taken too.
const UPDATABLE = ['displayName', 'labels', 'nodeCount'] as const;
const PORT = 11211;

/**
 * A READY instance's nodes and discovery endpoint, as the service assigns them: node ids are stable, a resize adds
 * nodes with new ids and addresses or removes the newest, and the discovery endpoint keeps its address.
 */
function settle(instance: FakeMemcached, pool: AddressPool): void {
  instance.state = 'READY';
  const zone = `${locationOf(instance.name)}-a`;
  const kept = instance.memcacheNodes.slice(0, instance.nodeCount);
  let next = Math.max(0, ...instance.memcacheNodes.map((n) => Number(n.nodeId.split('-').pop()))) + 1;
  while (kept.length < instance.nodeCount)
    kept.push({ nodeId: `node-a-${next++}`, zone, state: 'READY', host: pool.take(), port: PORT });
  instance.memcacheNodes = kept;
  instance.discoveryEndpoint ||= `${pool.take()}:${PORT}`;
}

/** `google.cloud.memcache.v1.CloudMemcache`, as the local API serves it. */
export const MEMCACHED_SPEC: ProductSpec<FakeMemcached> = {
  api: MEMCACHED_API,
  noun: 'Instance',
  field: 'instance',
  collection: 'instances',
  validId: validInstanceId,
  updatable: UPDATABLE,
  create(name, requested) {
    const nodeCount = Number(requested['nodeCount']);
    if (!(nodeCount >= 1 && nodeCount <= 20)) return 'instance.node_count must be between 1 and 20';
    return {
      name,
      displayName: typeof requested['displayName'] === 'string' ? requested['displayName'] : '',
      labels: { ...(requested['labels'] as Record<string, string> | undefined) },
      state: 'CREATING',
      nodeCount,
      nodeConfig: { cpuCount: 1, memorySizeMb: 1024 },
      memcacheNodes: [],
      discoveryEndpoint: '',
      authorizedNetwork:
        typeof requested['authorizedNetwork'] === 'string' && requested['authorizedNetwork']
          ? requested['authorizedNetwork']
          : `projects/${name.split('/')[1]}/global/networks/default`,
    };
  },
  settle,
};
