import { randomBytes } from 'node:crypto';

/** An instance as the local Memorystore API keeps it (proto field names in camelCase, enums as strings). */
export interface FakeInstance {
  name: string;
  displayName: string;
  labels: Record<string, string>;
  locationId: string;
  tier: string;
  memorySizeGb: number;
  host: string;
  port: number;
  state: string;
  redisVersion: string;
  authEnabled: boolean;
  transitEncryptionMode: string;
  readReplicasMode: string;
  replicaCount: number;
  readEndpoint: string;
  readEndpointPort: number;
  createTime: { seconds: string; nanos: number };
}

const INSTANCE_ID = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;

/** Addresses come from a private range, one per endpoint, never reused within a run. */
export class AddressPool {
  private next = 3;
  take(): string {
    const n = this.next++;
    return `10.${100 + Math.floor(n / 62500)}.${Math.floor(n / 250) % 250}.${n % 250}`;
  }
}

export function validInstanceId(id: string): boolean {
  return INSTANCE_ID.test(id);
}

/** A new instance, CREATING, with no address yet (it gets one when its operation finishes). */
export function newInstance(name: string, request: Partial<FakeInstance>): FakeInstance {
  const tls = request.transitEncryptionMode === 'SERVER_AUTHENTICATION';
  const replicas = request.readReplicasMode === 'READ_REPLICAS_ENABLED';
  return {
    name,
    displayName: request.displayName ?? '',
    labels: request.labels ?? {},
    locationId: `${name.split('/')[3]}-a`,
    tier: request.tier && request.tier !== 'TIER_UNSPECIFIED' ? request.tier : 'BASIC',
    memorySizeGb: request.memorySizeGb ?? 1,
    host: '',
    port: 0,
    state: 'CREATING',
    redisVersion: 'REDIS_7_2',
    authEnabled: request.authEnabled ?? false,
    transitEncryptionMode: tls ? 'SERVER_AUTHENTICATION' : 'DISABLED',
    readReplicasMode: replicas ? 'READ_REPLICAS_ENABLED' : 'READ_REPLICAS_DISABLED',
    replicaCount: replicas ? (request.replicaCount || 2) : 0,
    readEndpoint: '',
    readEndpointPort: 0,
    createTime: { seconds: String(Math.floor(Date.now() / 1000)), nanos: 0 },
  };
}

/** What an instance looks like once its operation has finished: addresses assigned as the service would. */
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
  }
  if (!replicas) {
    instance.readEndpoint = '';
    instance.readEndpointPort = 0;
  }
}

export const authStringFor = (): string => randomBytes(18).toString('base64url');
