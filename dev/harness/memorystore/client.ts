import { CloudRedisClusterClient } from '@google-cloud/redis-cluster';
import { CloudMemcacheClient } from '@google-cloud/memcache';
import { MemorystoreClient } from '@google-cloud/memorystore';
import { CloudRedisClient } from '@google-cloud/redis';
import { credentials } from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import { RestInstanceReads } from '../../../shared/adapters/rest-instance-reads.js';
import { toRedisInstance } from '../../../shared/products/redis/mapper.js';
import { REDIS_NAMING } from '../../../shared/products/redis/naming.js';

/**
 * Plaintext channel credentials made by the grpc-js that the client package's own google-gax loads: the product
 * clients pin different google-gax majors, and grpc-js refuses credentials made by another copy of itself.
 */
function insecureCredentialsFor(clientPackage: string): unknown {
  const require = createRequire(import.meta.url);
  const gax = createRequire(require.resolve(clientPackage))('google-gax') as {
    grpc: { credentials: { createInsecure(): unknown } };
  };
  return gax.grpc.credentials.createInsecure();
}

/** A generated client's options for the local API: plaintext, no Google credentials, nothing looked up. */
const localOptions = (port: number, projectId: string, clientPackage: string) => ({
  apiEndpoint: '127.0.0.1',
  port,
  projectId,
  // The credentials' type is that of the client's own grpc-js copy, which this module cannot name.
  sslCreds: insecureCredentialsFor(clientPackage) as never,
  universeDomain: 'googleapis.com',
});

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
  return {
    valkey: new MemorystoreClient(localOptions(port, projectId, '@google-cloud/memorystore')),
    memcache: new CloudMemcacheClient(localOptions(port, projectId, '@google-cloud/memcache')),
    cluster: new CloudRedisClusterClient(localOptions(port, projectId, '@google-cloud/redis-cluster')),
  };
}

/** The project's own Redis source (REST reads and listings, as deployed) on the local API. */
export function localRedisSource(port: number, projectId: string, pageSize?: number): RestInstanceReads {
  const local = { project: projectId, memorystoreEndpoint: { host: '127.0.0.1', port, plaintext: true } };
  return new RestInstanceReads(local, REDIS_NAMING, toRedisInstance, pageSize);
}
