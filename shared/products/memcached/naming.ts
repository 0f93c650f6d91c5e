import type { ProductNaming } from '../product-module.js';

// cloud_memcache.proto: 1-40 characters, starting with a letter, ending with a letter or digit.
export const MEMCACHED_NAMING: ProductNaming = {
  serviceName: 'memcache.googleapis.com',
  identityPrefix: '//memcache.googleapis.com/',
  objectPrefix: 'memcached',
  hostSegment: 'memcached',
  protocol: 'memcache',
  readyState: 'READY',
  collection: 'instances',
  idField: 'instanceId',
  instanceId: /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/,
  labelsReadable: true,
};
