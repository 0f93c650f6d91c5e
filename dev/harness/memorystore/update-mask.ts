import type { FakeInstance } from './instance-store.js';

/**
 * The fields UpdateInstance may change, by update-mask path. cloud_redis.proto lists display_name, labels,
 * memory_size_gb, redis_config and replica_count; read_replicas_mode is accepted too, as the service does when read
 * replicas are turned on. Paths may come snake_case (as gcloud and the client libraries send them) or camelCase.
 */
const UPDATABLE: Record<string, keyof FakeInstance> = {
  display_name: 'displayName',
  labels: 'labels',
  memory_size_gb: 'memorySizeGb',
  redis_config: 'redisConfigs',
  redis_configs: 'redisConfigs',
  replica_count: 'replicaCount',
  read_replicas_mode: 'readReplicasMode',
};

const snake = (path: string): string => path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type Checked = { fields: Partial<Record<keyof FakeInstance, unknown>> } | { error: string };

/**
 * Checks a decoded UpdateInstanceRequest and returns the fields it sets, or why the API would refuse it
 * (INVALID_ARGUMENT).
 */
export function updateFields(request: Record<string, unknown>): Checked {
  const mask = request['updateMask'] as { paths?: unknown } | null | undefined;
  const paths = Array.isArray(mask?.paths) ? mask.paths.map(String).map(snake) : [];
  if (paths.length === 0) return { error: 'update_mask must name at least one field' };
  const unknown = paths.find((p) => !(p in UPDATABLE));
  if (unknown) return { error: `update_mask path not supported: ${unknown}` };
  const changes = (request['instance'] ?? {}) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const path of paths) {
    const field = UPDATABLE[path]!;
    fields[field] = changes[field];
  }
  if ('memorySizeGb' in fields && !(Number(fields['memorySizeGb']) > 0))
    return { error: 'memory_size_gb must be greater than 0' };
  if (
    'readReplicasMode' in fields &&
    !['READ_REPLICAS_ENABLED', 'READ_REPLICAS_DISABLED'].includes(String(fields['readReplicasMode']))
  ) {
    return { error: `read_replicas_mode not supported: ${String(fields['readReplicasMode'])}` };
  }
  if ('replicaCount' in fields && (Number(fields['replicaCount']) < 0 || Number(fields['replicaCount']) > 5))
    return { error: 'replica_count must be 0 to 5' };
  return { fields };
}
