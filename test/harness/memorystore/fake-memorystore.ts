import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PubSub } from '@google-cloud/pubsub';
import { auditLogEntry } from './audit-entry.js';
import { AddressPool, authStringFor, newInstance, settle, validInstanceId, type FakeInstance } from './instance-store.js';
import { loadServices } from './protos.js';

export interface FakeMemorystoreOptions {
  readonly projectId: string;
  /** Where each change's first and last audit entries go, as a Logging sink would route them. */
  readonly pubsub?: { readonly client: PubSub; readonly topic: string };
  /** How long an operation runs before the instance settles. */
  readonly settleDelayMs?: number;
  readonly principalEmail?: string;
}

export interface FakeMemorystore {
  readonly endpoint: string;
  readonly port: number;
  instances(): FakeInstance[];
  /** Stands in for a change Memorystore can make to an instance's address (not a public API call): logged as UpdateInstance. */
  readdress(name: string, change: { host?: string; port?: number }): Promise<void>;
  /** Regions that an aggregated list reports as unreachable (their instances are left out). */
  setUnreachable(locations: readonly string[]): void;
  /** How long operations started from now on take to finish. */
  setSettleDelay(ms: number): void;
  stop(): Promise<void>;
}

type Call = ServerUnaryCall<Record<string, unknown>, unknown>;
type Done = sendUnaryData<unknown>;
interface Operation { name: string; done: boolean; response?: { typeUrl: string; value: Buffer } }

const fail = (done: Done, code: status, details: string): void => done({ code, details, name: 'Error', message: details });
const locationOf = (name: string): string => name.split('/')[3] ?? '';

/**
 * A local Memorystore for Redis API: `google.cloud.redis.v1.CloudRedis` and `google.longrunning.Operations` over
 * plaintext gRPC, instances in memory with the states the real service moves through. Google ships no emulator; this
 * is the one faked part of the test stack, and the real @google-cloud/redis client talks to it.
 */
export async function startFakeMemorystore(options: FakeMemorystoreOptions): Promise<FakeMemorystore> {
  const { cloudRedis, operations, encodeInstance } = loadServices();
  const store = new Map<string, FakeInstance>();
  const ops = new Map<string, Operation>();
  const auth = new Map<string, string>();
  const pool = new AddressPool();
  let unreachable = new Set<string>();
  let opCounter = 0;
  let delay = options.settleDelayMs ?? 50;
  const principal = options.principalEmail ?? 'alice@example.com';

  const publish = async (entry: Record<string, unknown>): Promise<void> => {
    if (!options.pubsub) return;
    const attributes = { 'logging.googleapis.com/timestamp': String(entry['timestamp']) };
    await options.pubsub.client.topic(options.pubsub.topic).publishMessage({ data: Buffer.from(JSON.stringify(entry)), attributes });
  };

  /** Starts an operation: first audit entry now; after the delay the change settles and the last entry is logged. */
  function operate(method: string, permission: string, resourceName: string, request: Record<string, unknown>, apply: () => FakeInstance | undefined, done: Done): void {
    const name = `projects/${options.projectId}/locations/${locationOf(resourceName)}/operations/operation-${++opCounter}`;
    const operation: Operation = { name, done: false };
    ops.set(name, operation);
    const base = { method, permission, request, principal };
    void publish(auditLogEntry({ ...base, resourceName, operation: { name, phase: 'first' }, response: { name, done: false } }));
    setTimeout(() => {
      const instance = apply();
      operation.done = true;
      operation.response = instance
        ? { typeUrl: 'type.googleapis.com/google.cloud.redis.v1.Instance', value: encodeInstance(instance) }
        : { typeUrl: 'type.googleapis.com/google.protobuf.Empty', value: Buffer.alloc(0) };
      const instanceName = method === 'CreateInstance' ? `${resourceName}/instances/${String(request['instanceId'])}` : resourceName;
      void publish(auditLogEntry({ ...base, resourceName: instanceName, operation: { name, phase: 'last' } }));
    }, delay);
    done(null, operation);
  }

  const withInstance = (call: Call, done: Done, action: (instance: FakeInstance) => void): void => {
    const request = call.request as { name?: string; instance?: { name?: string } };
    const name = request.name ?? request.instance?.name ?? '';
    const instance = store.get(name);
    if (!instance) return fail(done, status.NOT_FOUND, `Resource '${name}' was not found`);
    action(instance);
  };

  const redis: UntypedServiceImplementation = {
    GetInstance: (call: Call, done: Done) => withInstance(call, done, (instance) => done(null, instance)),
    GetInstanceAuthString: (call: Call, done: Done) => withInstance(call, done, (instance) => done(null, { authString: auth.get(instance.name) ?? '' })),
    ListInstances: (call: Call, done: Done) => {
      const parent = String(call.request['parent']);
      const location = locationOf(parent);
      const all = [...store.values()]
        .filter((i) => i.name.startsWith(`projects/${options.projectId}/`) && (location === '-' || locationOf(i.name) === location) && !unreachable.has(locationOf(i.name)))
        .sort((a, b) => a.name.localeCompare(b.name));
      const size = Number(call.request['pageSize']) || 100;
      const offset = Number(call.request['pageToken'] || 0);
      const page = all.slice(offset, offset + size);
      const relevant = [...unreachable].filter((l) => location === '-' || l === location);
      done(null, { instances: page, nextPageToken: offset + size < all.length ? String(offset + size) : '', unreachable: relevant.map((l) => `projects/${options.projectId}/locations/${l}`) });
    },
    CreateInstance: (call: Call, done: Done) => {
      const parent = String(call.request['parent']);
      const id = String(call.request['instanceId']);
      const name = `${parent}/instances/${id}`;
      if (!/^projects\/[^/]+\/locations\/[^/]+$/.test(parent) || !validInstanceId(id)) return fail(done, status.INVALID_ARGUMENT, `invalid parent or instance id: ${name}`);
      if (store.has(name)) return fail(done, status.ALREADY_EXISTS, `Resource '${name}' already exists`);
      const request = call.request['instance'] as Partial<FakeInstance>;
      const instance = newInstance(name, request);
      store.set(name, instance);
      if (instance.authEnabled) auth.set(name, authStringFor());
      const logged = { parent, instanceId: id, instance: { tier: instance.tier, memorySizeGb: instance.memorySizeGb, transitEncryptionMode: instance.transitEncryptionMode, readReplicasMode: instance.readReplicasMode, authEnabled: instance.authEnabled } };
      operate('CreateInstance', 'redis.instances.create', parent, logged, () => (settle(instance, pool), instance), done);
    },
    UpdateInstance: (call: Call, done: Done) =>
      withInstance(call, done, (instance) => {
        const paths = ((call.request['updateMask'] as { paths?: string[] } | undefined)?.paths ?? []).map((p) => p.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
        const allowed = new Set(['memorySizeGb', 'replicaCount', 'labels', 'displayName', 'readReplicasMode', 'redisConfig']);
        const bad = paths.find((p) => !allowed.has(p));
        if (paths.length === 0 || bad) return fail(done, status.INVALID_ARGUMENT, `update mask path not supported: ${bad ?? '(empty)'}`);
        const changes = call.request['instance'] as Record<string, unknown>;
        instance.state = 'UPDATING';
        const apply = (): FakeInstance => {
          for (const path of paths) if (path !== 'redisConfig') (instance as unknown as Record<string, unknown>)[path] = changes[path];
          settle(instance, pool);
          return instance;
        };
        operate('UpdateInstance', 'redis.instances.update', instance.name, { updateMask: { paths }, instance: { name: instance.name, ...Object.fromEntries(paths.map((p) => [p, changes[p]])) } }, apply, done);
      }),
    FailoverInstance: (call: Call, done: Done) =>
      withInstance(call, done, (instance) => {
        instance.state = 'FAILING_OVER';
        operate('FailoverInstance', 'redis.instances.failover', instance.name, { name: instance.name }, () => (settle(instance, pool), instance), done);
      }),
    DeleteInstance: (call: Call, done: Done) =>
      withInstance(call, done, (instance) => {
        instance.state = 'DELETING';
        operate('DeleteInstance', 'redis.instances.delete', instance.name, { name: instance.name }, () => void store.delete(instance.name), done);
      }),
  };
  const longrunning: UntypedServiceImplementation = {
    GetOperation: (call: Call, done: Done) => {
      const operation = ops.get(String(call.request['name']));
      return operation ? done(null, operation) : fail(done, status.NOT_FOUND, 'operation not found');
    },
  };
  const unimplemented = (service: typeof cloudRedis, impl: UntypedServiceImplementation): UntypedServiceImplementation =>
    Object.fromEntries(Object.keys(service).map((method) => [method, impl[method] ?? ((_call: Call, done: Done) => fail(done, status.UNIMPLEMENTED, `${method} is not implemented locally`))]));

  const server = new Server();
  server.addService(cloudRedis, unimplemented(cloudRedis, redis));
  server.addService(operations, unimplemented(operations, longrunning));
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));

  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    instances: () => [...store.values()].map((i) => ({ ...i })),
    async readdress(name, change) {
      const instance = store.get(name);
      if (!instance) throw new Error(`no instance ${name}`);
      await new Promise<void>((resolve, reject) =>
        operate('UpdateInstance', 'redis.instances.update', name, { name }, () => {
          Object.assign(instance, { host: change.host ?? instance.host, port: change.port ?? instance.port, state: 'READY' });
          return instance;
        }, (error) => (error ? reject(new Error(error.details ?? "operation failed")) : resolve())),
      );
      await new Promise((resolve) => setTimeout(resolve, delay * 2));
    },
    setUnreachable(locations) {
      unreachable = new Set(locations);
    },
    setSettleDelay(ms) {
      delay = ms;
    },
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
