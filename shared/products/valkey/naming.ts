import type { ProductNaming } from '../product-module.js';

// memorystore.proto (Memorystore for Valkey) says 4-63 characters starting with a letter or digit, its docs say 1-63
// starting with a letter; both are accepted, neither ending with a hyphen.
export const VALKEY_NAMING: ProductNaming = {
  serviceName: 'memorystore.googleapis.com',
  identityPrefix: '//memorystore.googleapis.com/',
  objectPrefix: 'valkey',
  hostSegment: 'valkey',
  protocol: 'redis',
  readyState: 'ACTIVE',
  collection: 'instances',
  idField: 'instanceId',
  instanceId: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
  labelsReadable: true,
};
