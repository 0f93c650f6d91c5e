import { randomBytes } from 'node:crypto';

/**
 * An instance as the local Memorystore API keeps it: the `google.cloud.redis.v1.Instance` fields the tests and the
 * project read, named as @grpc/proto-loader names them (camelCase, enums as strings, int64 as strings). Fields left
 * out here go on the wire with their proto defaults.
 */
export interface FakeInstance {
  name: string;
  displayName: string;
  labels: Record<string, string>;
  locationId: string;
  alternativeLocationId: string;
  currentLocationId: string;
  tier: string;
  memorySizeGb: number;
  host: string;
  port: number;
  state: string;
  redisVersion: string;
  redisConfigs: Record<string, string>;
  authorizedNetwork: string;
  connectMode: string;
  authEnabled: boolean;
  transitEncryptionMode: string;
  readReplicasMode: string;
  replicaCount: number;
  readEndpoint: string;
  readEndpointPort: number;
  nodes: Array<{ id: string; zone: string }>;
  createTime: { seconds: string; nanos: number };
}

// The instance id rules the API states: lowercase letters, digits and hyphens, 1-40 characters, starting with a letter.
const INSTANCE_ID = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
const PARENT = /^projects\/[^/]+\/locations\/[a-z]+-[a-z]+\d+$/;

export const validInstanceId = (id: string): boolean => INSTANCE_ID.test(id);
export const validParent = (parent: string): boolean => PARENT.test(parent);
/** `projects/P/locations/R/...` -> R */
export const locationOf = (name: string): string => name.split('/')[3] ?? '';

/**
 * Addresses come from a private range, one per endpoint, never reused within a run (as the service never reuses a live
 * one).
 */
export class AddressPool {
  private next = 3;
  private readonly taken = new Set<string>();
  take(): string {
    for (;;) {
      const n = this.next++;
      const host = `10.${100 + Math.floor(n / 62500)}.${Math.floor(n / 250) % 250}.${n % 250}`;
      if (!this.taken.has(host)) return this.claim(host);
    }
  }
  /** Marks an address a test chose itself as in use. */
  claim(host: string): string {
    this.taken.add(host);
    return host;
  }
}

/** A new instance, CREATING, with no address yet (it gets one when its operation finishes). */
export function newInstance(name: string, request: Partial<FakeInstance>): FakeInstance {
  const region = locationOf(name);
  const tier = request.tier === 'STANDARD_HA' ? 'STANDARD_HA' : 'BASIC';
  const replicas = request.readReplicasMode === 'READ_REPLICAS_ENABLED';
  const zone = request.locationId || `${region}-a`;
  // Standard tier keeps a replica in a second zone; failover moves the primary there.
  const alternative =
    tier === 'STANDARD_HA' ? request.alternativeLocationId || `${region}-${zone.endsWith('-b') ? 'c' : 'b'}` : '';
  return {
    name,
    displayName: request.displayName ?? '',
    labels: { ...(request.labels ?? {}) },
    locationId: zone,
    alternativeLocationId: alternative,
    currentLocationId: zone,
    tier,
    memorySizeGb: request.memorySizeGb ?? 1,
    host: '',
    port: 0,
    state: 'CREATING',
    redisVersion: request.redisVersion || 'REDIS_7_2',
    redisConfigs: { ...(request.redisConfigs ?? {}) },
    authorizedNetwork: request.authorizedNetwork || `projects/${name.split('/')[1]}/global/networks/default`,
    connectMode: request.connectMode === 'PRIVATE_SERVICE_ACCESS' ? 'PRIVATE_SERVICE_ACCESS' : 'DIRECT_PEERING',
    authEnabled: request.authEnabled ?? false,
    transitEncryptionMode:
      request.transitEncryptionMode === 'SERVER_AUTHENTICATION' ? 'SERVER_AUTHENTICATION' : 'DISABLED',
    readReplicasMode: replicas ? 'READ_REPLICAS_ENABLED' : 'READ_REPLICAS_DISABLED',
    replicaCount: replicas ? request.replicaCount || 2 : tier === 'STANDARD_HA' ? 1 : 0,
    readEndpoint: '',
    readEndpointPort: 0,
    nodes: [],
    createTime: { seconds: String(Math.floor(Date.now() / 1000)), nanos: 0 },
  };
}

/**
 * What an instance looks like once an operation on it has finished: READY, with its addresses assigned as the service
 * would (the primary address is kept for the instance's life; the read endpoint exists only with read replicas on).
 */
export function settle(instance: FakeInstance, pool: AddressPool): void {
  instance.state = 'READY';
  if (!instance.host) {
    instance.host = pool.take();
    instance.port = instance.transitEncryptionMode === 'SERVER_AUTHENTICATION' ? 6378 : 6379;
  }
  const replicas = instance.readReplicasMode === 'READ_REPLICAS_ENABLED';
  if (replicas && !instance.readEndpoint) {
    instance.readEndpoint = pool.take();
    instance.readEndpointPort = instance.port;
    instance.replicaCount ||= 2;
  }
  if (!replicas) {
    instance.readEndpoint = '';
    instance.readEndpointPort = 0;
  }
  const other =
    instance.currentLocationId === instance.locationId ? instance.alternativeLocationId : instance.locationId;
  const zones = [
    instance.currentLocationId,
    ...Array.from({ length: instance.replicaCount }, () => other || instance.locationId),
  ];
  instance.nodes = zones.map((zone, i) => ({ id: `node-${i}`, zone }));
}

/** A failover promotes a replica: the primary moves zone, the endpoints stay (the service redirects them). */
export function failOver(instance: FakeInstance): void {
  if (instance.alternativeLocationId) {
    instance.currentLocationId =
      instance.currentLocationId === instance.locationId ? instance.alternativeLocationId : instance.locationId;
  }
}

/** A copy a caller can keep or change without touching the store. */
export const copyOf = (instance: FakeInstance): FakeInstance => structuredClone(instance);

export const authStringFor = (): string => randomBytes(18).toString('base64url');
