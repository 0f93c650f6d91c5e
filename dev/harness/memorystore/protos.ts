import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';
import { MEMCACHED_API, REDIS_API, REDIS_CLUSTER_API, VALKEY_API, type AdminApi } from './admin-api.js';

const require = createRequire(import.meta.url);

/** The `build/protos` folder of a client package (its exports map hides package.json, so go by its entry). */
function protosOf(clientPackage: string): { protos: string; gaxProtos: string } {
  const main = require.resolve(clientPackage);
  const gaxMain = createRequire(main).resolve('google-gax');
  return {
    protos: join(main.slice(0, main.lastIndexOf('/build/')), 'build/protos'),
    gaxProtos: join(gaxMain.slice(0, gaxMain.lastIndexOf('/build/')), 'build/protos'),
  };
}

function load(clientPackage: string, files: string[]): GrpcObject {
  const { protos, gaxProtos } = protosOf(clientPackage);
  const definition = protoLoader.loadSync([...files, 'google/longrunning/operations.proto'], {
    includeDirs: [protos, gaxProtos],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return loadPackageDefinition(definition);
}

const pick = (root: GrpcObject, path: string): ServiceDefinition =>
  (
    path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root) as {
      service: ServiceDefinition;
    }
  ).service;

export interface Services {
  readonly cloudRedis: ServiceDefinition;
  readonly valkey: ServiceDefinition;
  readonly memcache: ServiceDefinition;
  readonly redisCluster: ServiceDefinition;
  readonly operations: ServiceDefinition;
  /** Encodes an Instance of `api`, as an Operation's `response` Any carries it. */
  encodeInstance: (instance: object, api: AdminApi) => Buffer;
}

/**
 * The CloudRedis, Memorystore (Valkey), CloudMemcache and CloudRedisCluster services and Operations, from the .proto
 * files that ship in @google-cloud/redis, @google-cloud/memorystore, @google-cloud/memcache and
 * @google-cloud/redis-cluster and their google-gax.
 */
export function loadServices(): Services {
  const redis = load('@google-cloud/redis', ['google/cloud/redis/v1/cloud_redis.proto']);
  const valkey = load('@google-cloud/memorystore', ['google/cloud/memorystore/v1/memorystore.proto']);
  const memcache = load('@google-cloud/memcache', ['google/cloud/memcache/v1/cloud_memcache.proto']);
  const redisCluster = load('@google-cloud/redis-cluster', ['google/cloud/redis/cluster/v1/cloud_redis_cluster.proto']);
  const services = {
    cloudRedis: pick(redis, 'google.cloud.redis.v1.CloudRedis'),
    valkey: pick(valkey, 'google.cloud.memorystore.v1.Memorystore'),
    memcache: pick(memcache, 'google.cloud.memcache.v1.CloudMemcache'),
    redisCluster: pick(redisCluster, 'google.cloud.redis.cluster.v1.CloudRedisCluster'),
  };
  // GetInstance's response serializer encodes an Instance: what an Operation's `response` Any carries.
  const serializerOf = (service: ServiceDefinition, method = 'GetInstance') =>
    (service[method] as unknown as { responseSerialize: (value: object) => Buffer }).responseSerialize;
  const encoders = new Map<AdminApi, (value: object) => Buffer>([
    [REDIS_API, serializerOf(services.cloudRedis)],
    [VALKEY_API, serializerOf(services.valkey)],
    [MEMCACHED_API, serializerOf(services.memcache)],
    [REDIS_CLUSTER_API, serializerOf(services.redisCluster, 'GetCluster')],
  ]);
  return {
    ...services,
    operations: pick(redis, 'google.longrunning.Operations'),
    encodeInstance: (instance, api) => encoders.get(api)!(instance),
  };
}
