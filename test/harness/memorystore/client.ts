import { CloudRedisClient } from '@google-cloud/redis';
import { credentials } from '@grpc/grpc-js';

/**
 * The real @google-cloud/redis client pointed at the local API: plaintext gRPC (`sslCreds` makes the client skip
 * Google credentials altogether) and the default universe, so it looks nothing up. Close it when done.
 */
export function localRedisClient(port: number, projectId: string): CloudRedisClient {
  return new CloudRedisClient({ apiEndpoint: '127.0.0.1', port, sslCreds: credentials.createInsecure(), projectId, universeDomain: 'googleapis.com' });
}
