import { protos as memcacheProtos } from '@google-cloud/memcache';
import { protos as valkeyProtos } from '@google-cloud/memorystore';
import { protos as redisProtos } from '@google-cloud/redis';
import { protos as clusterProtos } from '@google-cloud/redis-cluster';

/**
 * What differs between the Memorystore admin APIs the local server serves, as their audit entries and long-running
 * operations show it: the service and interface names, the IAM permission prefix, and the protos an Operation's
 * `metadata` and `response` are encoded with (each client decodes them with its own package's protos).
 */
export interface AdminApi {
  /** `redis.googleapis.com`: the audit entry's `serviceName` and the operation's producer. */
  readonly serviceName: string;
  /** `google.cloud.redis.v1.CloudRedis`: the audit entry's method is `<interface>.<Method>`. */
  readonly interfaceName: string;
  /** `redis.instances`: the permission a method checks is `<prefix>.<verb>`. */
  readonly permissionPrefix: string;
  readonly metadataType: string;
  readonly instanceType: string;
  encodeMetadata(message: object): Buffer;
  /** The monitored resource the audit entry names. */
  resource(project: string, region: string, instanceId: string): { type: string; labels: Record<string, string> };
}

const typeUrl = (name: string): string => `type.googleapis.com/${name}`;

export const REDIS_API: AdminApi = {
  serviceName: 'redis.googleapis.com',
  interfaceName: 'google.cloud.redis.v1.CloudRedis',
  permissionPrefix: 'redis.instances',
  metadataType: typeUrl('google.cloud.redis.v1.OperationMetadata'),
  instanceType: typeUrl('google.cloud.redis.v1.Instance'),
  encodeMetadata: (message) =>
    Buffer.from(redisProtos.google.cloud.redis.v1.OperationMetadata.encode(message).finish()),
  resource: (project_id, region, instance_id) => ({
    type: 'redis_instance',
    labels: { project_id, region, instance_id },
  }),
};

// Products whose monitored resource we could not confirm are logged against the generic `audited_resource`.
const audited =
  (service: string) =>
  (project_id: string): { type: string; labels: Record<string, string> } => ({
    type: 'audited_resource',
    labels: { project_id, service },
  });

export const VALKEY_API: AdminApi = {
  serviceName: 'memorystore.googleapis.com',
  interfaceName: 'google.cloud.memorystore.v1.Memorystore',
  permissionPrefix: 'memorystore.instances',
  metadataType: typeUrl('google.cloud.memorystore.v1.OperationMetadata'),
  instanceType: typeUrl('google.cloud.memorystore.v1.Instance'),
  encodeMetadata: (message) =>
    Buffer.from(valkeyProtos.google.cloud.memorystore.v1.OperationMetadata.encode(message).finish()),
  resource: audited('memorystore.googleapis.com'),
};

export const MEMCACHED_API: AdminApi = {
  serviceName: 'memcache.googleapis.com',
  interfaceName: 'google.cloud.memcache.v1.CloudMemcache',
  permissionPrefix: 'memcache.instances',
  metadataType: typeUrl('google.cloud.memcache.v1.OperationMetadata'),
  instanceType: typeUrl('google.cloud.memcache.v1.Instance'),
  encodeMetadata: (message) =>
    Buffer.from(memcacheProtos.google.cloud.memcache.v1.OperationMetadata.encode(message).finish()),
  resource: audited('memcache.googleapis.com'),
};

// CloudRedisCluster declares its operations' metadata as google.protobuf.Any (cloud_redis_cluster.proto); it is sent as
// the package's OperationMetadata, which is what an Any there holds.
export const REDIS_CLUSTER_API: AdminApi = {
  serviceName: 'redis.googleapis.com',
  interfaceName: 'google.cloud.redis.cluster.v1.CloudRedisCluster',
  permissionPrefix: 'redis.clusters',
  metadataType: typeUrl('google.cloud.redis.cluster.v1.OperationMetadata'),
  instanceType: typeUrl('google.cloud.redis.cluster.v1.Cluster'),
  encodeMetadata: (message) =>
    Buffer.from(clusterProtos.google.cloud.redis.cluster.v1.OperationMetadata.encode(message).finish()),
  resource: (project_id, region, cluster_id) => ({
    type: 'redis.googleapis.com/Cluster',
    labels: { resource_container: project_id, location: region, cluster_id },
  }),
};
