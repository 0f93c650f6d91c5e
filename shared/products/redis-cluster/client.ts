// The v1 client alone: the package's index also loads its static protobuf module (protos.js), which only the
// types below use (docs/performance.md: memory).
import { CloudRedisClusterClient } from '@google-cloud/redis-cluster/build/src/v1/index.js';
import type { protos } from '@google-cloud/redis-cluster';
import { toRedisClusterInstance } from './mapper.js';
import { clientOptions, ProductInstanceSource, type InstanceReader } from '../grpc-product-source.js';
import type { ClientSettings } from '../product-module.js';

type ApiCluster = protos.google.cloud.redis.cluster.v1.ICluster;

/**
 * Memorystore for Redis Cluster, through @google-cloud/redis-cluster. Its reads are GetCluster and ListClusters, with
 * the same request shapes and the same `unreachable` and `nextPageToken` as the instance APIs.
 */
export function redisClusterSource(config: ClientSettings): ProductInstanceSource<ApiCluster> {
  const client = new CloudRedisClusterClient(clientOptions(config, '@google-cloud/redis-cluster'));
  const reader: InstanceReader<ApiCluster> = {
    getInstance: (request, options) => client.getCluster(request, options),
    listInstances: (request, options) => client.listClusters(request, options),
  };
  return new ProductInstanceSource(reader, toRedisClusterInstance);
}
