import type { protos } from '@google-cloud/memcache';
import { labelsOf, type Endpoint, type MemorystoreInstance } from '../../model/instance.js';
import { nodeRole } from '../../model/node-role.js';
import { networksOf, projectOf } from '../../model/network.js';
import { checked, repeated } from '../checked-instance.js';
import { phaseOf } from '../product-module.js';
import { MEMCACHED_NAMING } from './naming.js';

type ApiInstance = protos.google.cloud.memcache.v1.IInstance;

/** Memcached's port, for a discovery endpoint given without one. */
const MEMCACHED_PORT = 11211;

/** `discoveryEndpoint` is `host:port` (as gcloud shows it, e.g. `10.0.0.2:11211`); a bare host means port 11211. */
function discoveryOf(value: string | null | undefined): Endpoint | undefined {
  const match = /^([^:\s]+)(?::(\d{1,6}))?$/.exec(value ?? '');
  if (!match?.[1]) return undefined;
  // A port out of range is kept, so that the instance is refused with the reason rather than its endpoint dropped.
  return { role: 'discovery', address: match[1], port: match[2] ? Number(match[2]) : MEMCACHED_PORT };
}

type ApiNode = NonNullable<ApiInstance['memcacheNodes']>[number];

/**
 * The nodes clients may be sent to: those with an address, except one being deleted (Node.State DELETING: a resize
 * down removes it, and its address may be handed to another instance).
 */
function nodesOf(api: ApiInstance): Array<{ id: string; address: string; port: number }> {
  return (api.memcacheNodes ?? [])
    .filter((n: ApiNode) => String(n.state ?? '') !== 'DELETING')
    .flatMap((n) =>
      n.nodeId && n.host && typeof n.port === 'number' && n.port > 0
        ? [{ id: n.nodeId, address: n.host, port: n.port }]
        : [],
    )
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * A Memorystore for Memcached Instance (memcache.googleapis.com) as the reconciler sees it, named by its identity
 * (`//memcache.googleapis.com/projects/...`): the auto-discovery
 * endpoint, then every node that has an address (`memcacheNodes[]`, by node id). Clients with auto-discovery ask the
 * discovery endpoint for the node list and connect to each node, so each node is an endpoint of its own (in
 * egress-gateway mode, with its own gateway port). A node id reported twice would give two endpoints one role (one
 * gateway port for two addresses): the instance is refused. All of them are in its `authorizedNetwork`.
 * https://cloud.google.com/memorystore/docs/memcached/reference/rest/v1/projects.locations.instances
 */
export function toMemcachedInstance(api: ApiInstance): MemorystoreInstance {
  const state = String(api.state ?? 'STATE_UNSPECIFIED');
  const discovery = discoveryOf(api.discoveryEndpoint);
  const nodes = nodesOf(api);
  const twice = repeated(nodes.map((n) => n.id));
  const endpoints = [
    ...(discovery ? [discovery] : []),
    ...nodes.map((n) => ({ role: nodeRole(n.id), address: n.address, port: n.port })),
  ];
  const networks = networksOf([api.authorizedNetwork], projectOf(api.name));
  return checked(
    {
      name: api.name ? `${MEMCACHED_NAMING.identityPrefix}${api.name}` : '',
      state,
      phase: phaseOf(MEMCACHED_NAMING, state),
      ...(endpoints.length > 0 ? { endpoints } : {}),
      ...(networks.length > 0 ? { networks } : {}),
      ...labelsOf(api.labels),
    },
    twice === undefined ? undefined : `node id ${JSON.stringify(twice)} is reported twice`,
  );
}
