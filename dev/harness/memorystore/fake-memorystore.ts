import {
  Server,
  ServerCredentials,
  status,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { PubSub } from '@google-cloud/pubsub';
import { compact, type EntryShape } from './audit-entry.js';
import {
  AddressPool,
  authStringFor,
  copyOf,
  failOver,
  locationOf,
  newInstance,
  settle,
  validInstanceId,
  validParent,
  type FakeInstance,
} from './instance-store.js';
import { listPage, type Unreachable } from './list-page.js';
import { OperationRunner, type OperationSpec } from './operations.js';
import { REDIS_API } from './admin-api.js';
import { fail, inProjects, record, text, withInstance as withStored, type Call, type Done } from './grpc-handlers.js';
import { MEMCACHED_SPEC, type FakeMemcached } from './memcached-service.js';
import { productBackend } from './product-backend.js';
import { REDIS_CLUSTER_SPEC, type FakeRedisCluster } from './redis-cluster-service.js';
import { loadServices } from './protos.js';
import { updateFields } from './update-mask.js';
import { VALKEY_SPEC, type FakeValkey } from './valkey-service.js';
import { restReads } from './rest-reads.js';
import { startSharedPort } from '../google-rest.js';
import { ASSET_TYPES } from '../../../shared/adapters/asset-inventory.js';
import {
  answerInventory,
  type IndexedResource,
  type InventoryCounts,
  type InventoryOptions,
} from './asset-inventory.js';

export interface FakeMemorystoreOptions {
  readonly projectId: string;
  /** Further projects served beside projectId, as one identity may read several (a Shared VPC's service projects). */
  readonly otherProjects?: readonly string[];
  /**
   * Where each change's first and last audit entries go, as a Logging sink would route them; of `routedProjects`
   * only when given (a folder sink routes the entries of the projects under its folder, no others).
   */
  readonly pubsub?: { readonly client: PubSub; readonly topic: string; readonly routedProjects?: readonly string[] };
  /** How long an operation runs before the instance settles (default 50 ms). */
  readonly settleDelayMs?: number;
  /** Who the audit entries say made each change (default alice@example.com). */
  readonly principalEmail?: string;
  /**
   * Where each project sits, for the local Cloud Asset Inventory served beside the APIs (asset-inventory.ts), and the
   * scopes its caller may search (default: every scope).
   */
  readonly inventory?: Pick<InventoryOptions, 'hierarchy' | 'grantedScopes' | 'tokenLifetimeMs' | 'now'>;
}

export interface FakeMemorystore {
  /** `127.0.0.1:port`: plaintext gRPC, and each product's REST Get under `/<service name>/v1/`. */
  readonly endpoint: string;
  readonly port: number;
  /** Copies of the Redis instances as they are now. */
  instances(): FakeInstance[];
  /** Copies of the Valkey instances (`google.cloud.memorystore.v1`) as they are now. */
  valkeyInstances(): FakeValkey[];
  /** Copies of the Memcached instances (`google.cloud.memcache.v1`) as they are now. */
  memcachedInstances(): FakeMemcached[];
  /** Copies of the Redis Clusters (`google.cloud.redis.cluster.v1`) as they are now. */
  redisClusters(): FakeRedisCluster[];
  /**
   * Changes an instance's address as Memorystore itself can (e.g. a change of in-transit encryption moves the port
   * between 6379 and 6378). Not a call of the public API: it is logged as an UpdateInstance, UPDATING then READY.
   * With neither host nor port given, the instance gets a new host. Resolves when the last audit entry is published.
   */
  readdress(name: string, change: { host?: string; port?: number }): Promise<void>;
  /**
   * Changes what the API reports of an instance or cluster of any product, as the service or its user can outside
   * the methods served here (connections registered by the user, an endpoint group in a second VPC network, a
   * connection whose forwarding rule was deleted, a Memcached node being replaced). `change` edits the stored
   * resource in proto-loader form. Logged as the product's Update method, the resource UPDATING then settled in its
   * ready state; resolves when the last audit entry is published.
   */
  reshape(name: string, change: (resource: Record<string, unknown>) => void): Promise<void>;
  /** How the audit entries of operations that end from now on are shaped (default: complete). */
  setEntryShape(shape: EntryShape): void;
  /**
   * Regions (`us-east1` or `projects/P/locations/us-east1`) a list reports as unreachable; their instances are left
   * out. With `placeholders`, an aggregated list also carries the documented placeholder entry per region.
   */
  setUnreachable(locations: readonly string[], how?: { placeholders?: boolean }): void;
  /** How long operations started from now on take to finish. */
  setSettleDelay(ms: number): void;
  /** Pages the local Cloud Asset Inventory has answered so far. */
  inventorySearches(): number;
  /** Instances read over REST (each product's Get) so far. */
  restGets(): number;
  /** Resolves when no operation is running and every audit entry has reached Pub/Sub (rejects if a publish failed). */
  settled(): Promise<void>;
  /** Resolves when every audit entry written so far has reached Pub/Sub; running operations are not waited for. */
  published(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The local Memorystore APIs on one plaintext gRPC port: `google.cloud.redis.v1.CloudRedis`,
 * `google.cloud.memorystore.v1.Memorystore` (Valkey), `google.cloud.memcache.v1.CloudMemcache`,
 * `google.cloud.redis.cluster.v1.CloudRedisCluster` and
 * `google.longrunning.Operations`, instances in memory with the states the real services move through. Google ships no
 * emulator; this is the one faked part of the test stack, and the real client libraries talk to it.
 */
export async function startFakeMemorystore(options: FakeMemorystoreOptions): Promise<FakeMemorystore> {
  const { cloudRedis, valkey, memcache, redisCluster, operations, encodeInstance } = loadServices();
  const { projectId } = options;
  const projects = [projectId, ...(options.otherProjects ?? [])];
  const store = new Map<string, FakeInstance>();
  const auth = new Map<string, string>();
  const pool = new AddressPool();
  let unreachable: Unreachable = { locations: new Set(), placeholders: false };
  const topic = options.pubsub?.client.topic(options.pubsub.topic);
  const runner = new OperationRunner({
    projectId,
    principal: options.principalEmail ?? 'alice@example.com',
    delayMs: options.settleDelayMs ?? 50,
    encodeInstance,
    ...(topic ? { topic } : {}),
    ...(options.pubsub?.routedProjects ? { routedProjects: options.pubsub.routedProjects } : {}),
  });

  const run = (spec: OperationSpec, done: Done): void => done(null, runner.start(spec).operation);

  const withInstance = (call: Call, done: Done, action: (instance: FakeInstance) => void): void =>
    withStored(store, projects, call, done, action);
  const backendOptions = { projects, runner, pool, unreachable: () => unreachable };
  const valkeyApi = productBackend(VALKEY_SPEC, backendOptions);
  const memcachedApi = productBackend(MEMCACHED_SPEC, backendOptions);
  const clusterApi = productBackend(REDIS_CLUSTER_SPEC, backendOptions);

  const redis: UntypedServiceImplementation = {
    GetInstance: (call: Call, done: Done) => withInstance(call, done, (instance) => done(null, instance)),
    GetInstanceAuthString: (call: Call, done: Done) =>
      withInstance(call, done, (instance) => done(null, { authString: auth.get(instance.name) ?? '' })),
    ListInstances: (call: Call, done: Done) => {
      const parent = text(call.request['parent']);
      if (!inProjects(projects, parent) || !parent.includes('/locations/'))
        return fail(done, status.INVALID_ARGUMENT, `invalid parent: ${parent}`);
      const page = listPage([...store.values()], parent, unreachable, {
        pageSize: Number(call.request['pageSize']),
        pageToken: text(call.request['pageToken']),
      });
      return 'error' in page ? fail(done, status.INVALID_ARGUMENT, page.error) : done(null, page);
    },
    CreateInstance: (call: Call, done: Done) => {
      const parent = text(call.request['parent']);
      const instanceId = text(call.request['instanceId']);
      const requested = record(call.request['instance']) as Partial<FakeInstance>;
      const name = `${parent}/instances/${instanceId}`;
      if (!validParent(parent) || !validInstanceId(instanceId))
        return fail(done, status.INVALID_ARGUMENT, `invalid parent or instance id: ${name}`);
      if (!inProjects(projects, parent))
        return fail(done, status.PERMISSION_DENIED, `Permission 'redis.instances.create' denied on '${parent}'`);
      if (store.has(name)) return fail(done, status.ALREADY_EXISTS, `Resource '${name}' already exists`);
      if (!(Number(requested.memorySizeGb) > 0))
        return fail(done, status.INVALID_ARGUMENT, 'instance.memory_size_gb must be greater than 0');
      const instance = newInstance(name, requested);
      store.set(name, instance);
      if (instance.authEnabled) auth.set(name, authStringFor());
      const request = { parent, instanceId, instance: compact(record(call.request['instance'])) };
      run(
        {
          method: 'CreateInstance',
          instanceName: name,
          firstResourceName: parent,
          request,
          apply: () => (settle(instance, pool), instance),
        },
        done,
      );
    },
    UpdateInstance: (call: Call, done: Done) =>
      withInstance(call, done, (instance) => {
        const changes = updateFields(call.request);
        if ('error' in changes) return fail(done, status.INVALID_ARGUMENT, changes.error);
        instance.state = 'UPDATING';
        const request = {
          updateMask: record(call.request['updateMask']),
          instance: { name: instance.name, ...changes.fields },
        };
        const apply = (): FakeInstance => (
          Object.assign(instance, structuredClone(changes.fields)),
          settle(instance, pool),
          instance
        );
        run({ method: 'UpdateInstance', instanceName: instance.name, request, apply }, done);
      }),
    FailoverInstance: (call: Call, done: Done) =>
      withInstance(call, done, (instance) => {
        instance.state = 'FAILING_OVER';
        const request = compact({ name: instance.name, dataProtectionMode: call.request['dataProtectionMode'] });
        run(
          {
            method: 'FailoverInstance',
            instanceName: instance.name,
            request,
            apply: () => (failOver(instance), settle(instance, pool), instance),
          },
          done,
        );
      }),
    DeleteInstance: (call: Call, done: Done) =>
      withInstance(call, done, (instance) => {
        instance.state = 'DELETING';
        const apply = (): undefined => void (store.delete(instance.name), auth.delete(instance.name));
        run({ method: 'DeleteInstance', instanceName: instance.name, request: { name: instance.name }, apply }, done);
      }),
  };
  const longrunning: UntypedServiceImplementation = {
    GetOperation: (call: Call, done: Done) => {
      const operation = runner.get(text(call.request['name']));
      return operation
        ? done(null, operation)
        : fail(done, status.NOT_FOUND, `Operation '${text(call.request['name'])}' was not found`);
    },
    ListOperations: (call: Call, done: Done) =>
      done(null, { operations: runner.list(text(call.request['name'])), nextPageToken: '' }),
    DeleteOperation: (call: Call, done: Done) =>
      runner.delete(text(call.request['name'])) ? done(null, {}) : fail(done, status.NOT_FOUND, 'operation not found'),
  };
  // Methods not modelled (Upgrade, Import, Export, RescheduleMaintenance, CancelOperation...) answer UNIMPLEMENTED.
  const complete = (service: ServiceDefinition, impl: UntypedServiceImplementation): UntypedServiceImplementation =>
    Object.fromEntries(
      Object.keys(service).map((method) => [
        method,
        impl[method] ??
          ((_call: Call, done: Done) => fail(done, status.UNIMPLEMENTED, `${method} is not implemented locally`)),
      ]),
    );

  const server = new Server();
  server.addService(cloudRedis, complete(cloudRedis, redis));
  server.addService(valkey, complete(valkey, valkeyApi.implementation));
  server.addService(memcache, complete(memcache, memcachedApi.implementation));
  server.addService(redisCluster, complete(redisCluster, clusterApi.implementation));
  server.addService(operations, complete(operations, longrunning));
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const indexed = (): IndexedResource[] => [
    ...[...store.values()].map((r) => ({ ...r, assetType: ASSET_TYPES.redis, serviceName: REDIS_API.serviceName })),
    ...[...valkeyApi.store.values()].map((r) => ({
      ...r,
      assetType: ASSET_TYPES.valkey,
      serviceName: VALKEY_SPEC.api.serviceName,
    })),
    ...[...memcachedApi.store.values()].map((r) => ({
      ...r,
      assetType: ASSET_TYPES.memcached,
      serviceName: MEMCACHED_SPEC.api.serviceName,
    })),
    ...[...clusterApi.store.values()].map((r) => ({
      ...r,
      assetType: ASSET_TYPES['redis-cluster'],
      serviceName: REDIS_CLUSTER_SPEC.api.serviceName,
    })),
  ];
  const inventoryCounts: InventoryCounts = { searches: 0 };
  let restGets = 0;
  const inventory: InventoryOptions = { hierarchy: {}, ...options.inventory, resources: indexed };
  const reads = restReads(
    [
      {
        serviceName: REDIS_API.serviceName,
        collection: 'instances',
        get: redis['GetInstance']!,
        list: redis['ListInstances']!,
      },
      {
        serviceName: VALKEY_SPEC.api.serviceName,
        collection: 'instances',
        get: valkeyApi.implementation['GetInstance']!,
        list: valkeyApi.implementation['ListInstances']!,
      },
      {
        serviceName: MEMCACHED_SPEC.api.serviceName,
        collection: 'instances',
        get: memcachedApi.implementation['GetInstance']!,
        list: memcachedApi.implementation['ListInstances']!,
      },
      {
        serviceName: REDIS_CLUSTER_SPEC.api.serviceName,
        collection: 'clusters',
        get: clusterApi.implementation['GetCluster']!,
        list: clusterApi.implementation['ListClusters']!,
      },
    ],
    () => restGets++,
  );
  const shared = await startSharedPort(grpcPort, (request, response) =>
    request.url?.startsWith('/cloudasset.googleapis.com/')
      ? answerInventory(inventory, inventoryCounts, request, response)
      : reads(request, response),
  );
  const { port } = shared;

  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    instances: () => [...store.values()].map(copyOf),
    valkeyInstances: () => [...valkeyApi.store.values()].map((i) => structuredClone(i)),
    memcachedInstances: () => [...memcachedApi.store.values()].map((i) => structuredClone(i)),
    redisClusters: () => [...clusterApi.store.values()].map((i) => structuredClone(i)),
    async readdress(name, change) {
      const instance = store.get(name);
      if (!instance) throw new Error(`no instance ${name}`);
      const host = change.host ? pool.claim(change.host) : change.port ? instance.host : pool.take();
      const port = change.port ?? instance.port;
      instance.state = 'UPDATING';
      const apply = (): FakeInstance => {
        Object.assign(instance, { host, port, ...(instance.readEndpoint ? { readEndpointPort: port } : {}) });
        settle(instance, pool);
        return instance;
      };
      await runner.start({
        method: 'UpdateInstance',
        instanceName: name,
        request: { updateMask: {}, instance: { name } },
        apply,
      }).finished;
    },
    async reshape(name, change) {
      const products = [
        { store: store as Map<string, { state: string }>, api: REDIS_API, method: 'UpdateInstance', ready: 'READY' },
        { store: valkeyApi.store, api: VALKEY_SPEC.api, method: 'UpdateInstance', ready: 'ACTIVE' },
        { store: memcachedApi.store, api: MEMCACHED_SPEC.api, method: 'UpdateInstance', ready: 'READY' },
        { store: clusterApi.store, api: REDIS_CLUSTER_SPEC.api, method: 'UpdateCluster', ready: 'ACTIVE' },
      ] as const;
      const product = products.find((p) => p.store.has(name));
      const resource = product?.store.get(name);
      if (!product || !resource) throw new Error(`no instance or cluster ${name}`);
      resource.state = 'UPDATING';
      const apply = (): object => (change(resource), (resource.state = product.ready), resource);
      await runner.start({ api: product.api, method: product.method, instanceName: name, request: { name }, apply })
        .finished;
    },
    setEntryShape(shape) {
      runner.shape = shape;
    },
    setUnreachable(locations, how) {
      unreachable = {
        locations: new Set(locations.map((l) => locationOf(l) || l)),
        placeholders: how?.placeholders ?? false,
      };
    },
    setSettleDelay(ms) {
      runner.delayMs = ms;
    },
    inventorySearches: () => inventoryCounts.searches,
    restGets: () => restGets,
    settled: () => runner.settled(),
    published: () => runner.published(),
    async stop() {
      await runner.stop();
      await shared.stop();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
