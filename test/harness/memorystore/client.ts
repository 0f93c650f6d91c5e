import { CloudMemcacheClient } from '@google-cloud/memcache';
import { MemorystoreClient } from '@google-cloud/memorystore';
import { CloudRedisClient } from '@google-cloud/redis';
import { credentials } from '@grpc/grpc-js';
import { clientOptions } from '../../../shared/adapters/grpc-product-source.js';

/**
 * The real @google-cloud/redis client pointed at the local API: plaintext gRPC (`sslCreds` makes the client skip
 * Google credentials altogether) and the default universe, so it looks nothing up. Close it when done.
 */
export function localRedisClient(port: number, projectId: string): CloudRedisClient {
  return new CloudRedisClient({ apiEndpoint: '127.0.0.1', port, sslCreds: credentials.createInsecure(), projectId, universeDomain: 'googleapis.com' });
}

/** The real @google-cloud/memorystore (Valkey) and @google-cloud/memcache clients pointed at the local API. */
export function localProductClients(port: number, projectId: string): { valkey: MemorystoreClient; memcache: CloudMemcacheClient } {
  const options = clientOptions({ project: projectId, memorystoreEndpoint: { host: '127.0.0.1', port, plaintext: true } }, '@google-cloud/memorystore');
  const memcacheOptions = clientOptions({ project: projectId, memorystoreEndpoint: { host: '127.0.0.1', port, plaintext: true } }, '@google-cloud/memcache');
  return { valkey: new MemorystoreClient(options), memcache: new CloudMemcacheClient(memcacheOptions) };
}
