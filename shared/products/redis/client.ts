// The v1 client alone: the package's index also loads its static protobuf module (protos.js), which only the
// types below use (docs/performance.md: memory).
import { CloudRedisClient } from '@google-cloud/redis/build/src/v1/index.js';
import type { protos } from '@google-cloud/redis';
import { toRedisInstance } from './mapper.js';
import { clientOptions, ProductInstanceSource } from '../grpc-product-source.js';
import type { ClientSettings } from '../product-module.js';

export { toRedisInstance };

type ApiInstance = protos.google.cloud.redis.v1.IInstance;

export function makeRedisClient(config: ClientSettings): CloudRedisClient {
  return new CloudRedisClient(clientOptions(config, '@google-cloud/redis'));
}

/** Memorystore for Redis instances, through @google-cloud/redis. */
export class MemorystoreInstanceSource extends ProductInstanceSource<ApiInstance> {
  constructor(client: CloudRedisClient, pageSize?: number) {
    super(client, toRedisInstance, pageSize);
  }
}
