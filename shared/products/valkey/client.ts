import { MemorystoreClient, protos } from '@google-cloud/memorystore';
import { toValkeyInstance } from './mapper.js';
import { clientOptions, ProductInstanceSource } from '../grpc-product-source.js';
import type { ClientSettings } from '../product-module.js';

type ApiInstance = protos.google.cloud.memorystore.v1.IInstance;

/** Memorystore for Valkey instances (memorystore.googleapis.com v1), through @google-cloud/memorystore. */
export function valkeySource(config: ClientSettings): ProductInstanceSource<ApiInstance> {
  const client = new MemorystoreClient(clientOptions(config, '@google-cloud/memorystore'));
  return new ProductInstanceSource(client, toValkeyInstance);
}
