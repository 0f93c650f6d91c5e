import { CloudRedisClusterClient } from '@google-cloud/redis-cluster';
import { CloudMemcacheClient } from '@google-cloud/memcache';
import { MemorystoreClient } from '@google-cloud/memorystore';
import { CloudRedisClient } from '@google-cloud/redis';
import { credentials } from '@grpc/grpc-js';
import { clientOptions } from '../../../shared/products/grpc-product-source.js';

/**
 * The real @google-cloud/redis client pointed at the local API: plaintext gRPC (`sslCreds` makes the client skip
 * Google credentials altogether) and the default universe, so it looks nothing up. Close it when done.
 */
export function localRedisClient(port: number, projectId: string): CloudRedisClient {
  return new CloudRedisClient({
    apiEndpoint: '127.0.0.1',
    port,
    sslCreds: credentials.createInsecure(),
    projectId,
    universeDomain: 'googleapis.com',
  });
}

/**
 * The real @google-cloud/memorystore (Valkey), @google-cloud/memcache and @google-cloud/redis-cluster clients on the
 * local API.
 */
export function localProductClients(
  port: number,
  projectId: string,
): { valkey: MemorystoreClient; memcache: CloudMemcacheClient; cluster: CloudRedisClusterClient } {
  const local = { project: projectId, memorystoreEndpoint: { host: '127.0.0.1', port, plaintext: true } };
  return {
    valkey: new MemorystoreClient(clientOptions(local, '@google-cloud/memorystore')),
    memcache: new CloudMemcacheClient(clientOptions(local, '@google-cloud/memcache')),
    cluster: new CloudRedisClusterClient(clientOptions(local, '@google-cloud/redis-cluster')),
  };
}
