import { MemorystoreClient, protos } from '@google-cloud/memorystore';
import type { Config } from '../config/parse-config.js';
import { toValkeyInstance } from '../sources/valkey.js';
import { clientOptions, ProductInstanceSource } from './grpc-product-source.js';

type ApiInstance = protos.google.cloud.memorystore.v1.IInstance;

/** Memorystore for Valkey instances (memorystore.googleapis.com v1), through @google-cloud/memorystore. */
export function valkeySource(
  config: Pick<Config, 'project' | 'memorystoreEndpoint'>,
): ProductInstanceSource<ApiInstance> {
  const client = new MemorystoreClient(clientOptions(config, '@google-cloud/memorystore'));
  return new ProductInstanceSource(client, toValkeyInstance);
}
