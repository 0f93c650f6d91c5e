// The v1 client alone: the package's index also loads its static protobuf module (protos.js), which only the
// types below use (docs/performance.md: memory).
import { MemorystoreClient } from '@google-cloud/memorystore/build/src/v1/index.js';
import type { protos } from '@google-cloud/memorystore';
import { toValkeyInstance } from './mapper.js';
import { clientOptions, ProductInstanceSource } from '../grpc-product-source.js';
import type { ClientSettings } from '../product-module.js';

type ApiInstance = protos.google.cloud.memorystore.v1.IInstance;

/** Memorystore for Valkey instances (memorystore.googleapis.com v1), through @google-cloud/memorystore. */
export function valkeySource(config: ClientSettings): ProductInstanceSource<ApiInstance> {
  const client = new MemorystoreClient(clientOptions(config, '@google-cloud/memorystore'));
  return new ProductInstanceSource(client, toValkeyInstance);
}
