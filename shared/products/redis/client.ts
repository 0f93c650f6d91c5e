import { CloudRedisClient, protos } from '@google-cloud/redis';
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
