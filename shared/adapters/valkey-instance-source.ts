import { MemorystoreClient, protos } from '@google-cloud/memorystore';
import type { MemorystoreSettings } from '../config/settings.js';
import { toValkeyInstance } from '../sources/valkey.js';
import { clientOptions, ProductInstanceSource } from './grpc-product-source.js';

type ApiInstance = protos.google.cloud.memorystore.v1.IInstance;

/** Memorystore for Valkey instances (memorystore.googleapis.com v1), through @google-cloud/memorystore. */
export function valkeySource(
  config: Pick<MemorystoreSettings, 'project' | 'memorystoreEndpoint'>,
): ProductInstanceSource<ApiInstance> {
  const client = new MemorystoreClient(clientOptions(config, '@google-cloud/memorystore'));
  return new ProductInstanceSource(client, toValkeyInstance);
}
