import type { protos } from '@google-cloud/redis';
import { assignedEndpoint as endpoint, labelsOf, type MemorystoreInstance } from '../../model/instance.js';
import { networksOf, projectOf } from '../../model/network.js';
import { checked } from '../checked-instance.js';
import { phaseOf } from '../product-module.js';
import { REDIS_NAMING } from './naming.js';

type ApiInstance = protos.google.cloud.redis.v1.IInstance;

/**
 * A Memorystore for Redis Instance as the reconciler sees it: `host`:`port` is the primary endpoint (6378 with
 * in-transit encryption), `readEndpoint`:`readEndpointPort` the read endpoint when read replicas are on.
 * https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations.instances
 * Enums arrive as strings, as the REST API's JSON writes them.
 */
export function toRedisInstance(api: ApiInstance): MemorystoreInstance {
  const state = String(api.state ?? 'STATE_UNSPECIFIED');
  const primary = endpoint('primary', api.host, api.port);
  // A read endpoint without a primary is no address to connect to yet.
  const endpoints = primary.length > 0 ? [...primary, ...endpoint('read', api.readEndpoint, api.readEndpointPort)] : [];
  const networks = networksOf([api.authorizedNetwork], projectOf(api.name));
  return checked({
    name: api.name ?? '',
    state,
    phase: phaseOf(REDIS_NAMING, state),
    ...(endpoints.length > 0 ? { endpoints } : {}),
    ...(networks.length > 0 ? { networks } : {}),
    ...labelsOf(api.labels),
  });
}
