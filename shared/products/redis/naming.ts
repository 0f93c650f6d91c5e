import type { ProductNaming } from '../product-module.js';

// cloud_redis.proto: 1-40 characters, lowercase letters, digits and hyphens, starting with a letter.
export const REDIS_NAMING: ProductNaming = {
  serviceName: 'redis.googleapis.com',
  identityPrefix: '',
  objectPrefix: 'redis',
  hostSegment: '',
  protocol: 'redis',
  readyState: 'READY',
  collection: 'instances',
  idField: 'instanceId',
  instanceId: /^[a-z][-a-z0-9]{0,39}$/,
  labelsReadable: true,
};
