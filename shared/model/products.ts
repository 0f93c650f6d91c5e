/**
 * The Memorystore products this project syncs. Each is a source of endpoints: its adapter reads the product's own
 * API and yields the one instance model (instance.ts) that planning and rendering consume; what differs between
 * products stays in this table and in the adapters.
 */
export const PRODUCTS = ['redis', 'valkey', 'memcached', 'redis-cluster'] as const;
export type Product = (typeof PRODUCTS)[number];

export interface ProductInfo {
  /** The API's service name, as audit entries carry it in `protoPayload.serviceName`. */
  readonly serviceName: string;
  /**
   * The prefix of an instance's identity. Redis keeps the bare relative name (`projects/P/locations/R/instances/I`)
   * that objects written before other products existed carry in their annotation; the others use Google's full
   * resource name (`//SERVICE/projects/...`), since the same relative name can exist in two products.
   * https://cloud.google.com/apis/design/resource_names#full_resource_name
   */
  readonly identityPrefix: string;
  /** Prefix of the object names, so `kubectl get serviceentries` tells products apart. */
  readonly objectPrefix: string;
  /** Host name segment between the instance id and its region; empty for Redis (its hosts predate the others). */
  readonly hostSegment: string;
  /** The wire protocol, for port names (`tcp-redis`, `tcp-memcache`): Istio reads only the `tcp` prefix. */
  readonly protocol: 'redis' | 'memcache';
  /** The state the API reports once an instance has settled. */
  readonly readyState: string;
  /**
   * The collection of its resource names (`projects/P/locations/L/<collection>/ID`) and the id's field in a create
   * request.
   */
  readonly collection: 'instances' | 'clusters';
  readonly idField: 'instanceId' | 'clusterId';
  /** Instance id rules of the product's API (CreateInstanceRequest.instance_id in its proto). */
  readonly instanceId: RegExp;
  /** Whether the product's client reports an instance's labels, so INSTANCE_LABEL_SELECTOR can select it. */
  readonly labelsReadable: boolean;
}

export const PRODUCT_INFO: Readonly<Record<Product, ProductInfo>> = {
  // cloud_redis.proto: 1-40 characters, lowercase letters, digits and hyphens, starting with a letter.
  redis: {
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
  },
  // memorystore.proto (Memorystore for Valkey) says 4-63 characters starting with a letter or digit, its docs say 1-63
  // starting with a letter; both are accepted, neither ending with a hyphen.
  valkey: {
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
  },
  // cloud_memcache.proto: 1-40 characters, starting with a letter, ending with a letter or digit.
  memcached: {
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
  },
  // cloud_redis_cluster.proto (Memorystore for Redis Cluster, on redis.googleapis.com beside Redis): 1-63 characters,
  // starting with a letter, ending with a letter or digit. A cluster has no labels.
  'redis-cluster': {
    serviceName: 'redis.googleapis.com',
    identityPrefix: '//redis.googleapis.com/',
    objectPrefix: 'rediscluster',
    hostSegment: 'rediscluster',
    protocol: 'redis',
    readyState: 'ACTIVE',
    collection: 'clusters',
    idField: 'clusterId',
    instanceId: /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/,
    labelsReadable: false,
  },
};

/** The products an audit entry's service name may be about (Redis and Redis Cluster share redis.googleapis.com). */
export function productsOfService(serviceName: string | undefined): Product[] {
  return PRODUCTS.filter((p) => PRODUCT_INFO[p].serviceName === serviceName);
}
