import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { MEMCACHED_API } from './admin-api.js';
import { compact } from './audit-entry.js';
import { fail, maskPaths, record, text, withInstance, type Call, type Done } from './grpc-handlers.js';
import { locationOf, validInstanceId, validParent, type AddressPool } from './instance-store.js';
import { listPage, type Unreachable } from './list-page.js';
import type { OperationRunner } from './operations.js';

/** A Memorystore for Memcached instance as the local API keeps it (`google.cloud.memcache.v1.Instance`, proto-loader form). */
export interface FakeMemcached {
  name: string;
  displayName: string;
  labels: Record<string, string>;
  state: string;
  nodeCount: number;
  nodeConfig: { cpuCount: number; memorySizeMb: number };
  memcacheNodes: Array<{ nodeId: string; zone: string; state: string; host: string; port: number }>;
  discoveryEndpoint: string;
}

// UpdateInstance's mask: cloud_memcache.proto documents `displayName`; labels and a resize (`nodeCount`, what
// `gcloud memcache instances update --node-count` changes) are taken too.
const UPDATABLE = ['displayName', 'labels', 'nodeCount'] as const;
const PORT = 11211;

/**
 * A READY instance's nodes and discovery endpoint, as the service assigns them: node ids are stable, a resize adds
 * nodes with new ids and addresses or removes the newest, and the discovery endpoint keeps its address.
 */
function settle(instance: FakeMemcached, pool: AddressPool): void {
  instance.state = 'READY';
  const zone = `${locationOf(instance.name)}-a`;
  const kept = instance.memcacheNodes.slice(0, instance.nodeCount);
  let next = Math.max(0, ...instance.memcacheNodes.map((n) => Number(n.nodeId.split('-').pop()))) + 1;
  while (kept.length < instance.nodeCount) kept.push({ nodeId: `node-a-${next++}`, zone, state: 'READY', host: pool.take(), port: PORT });
  instance.memcacheNodes = kept;
  instance.discoveryEndpoint ||= `${pool.take()}:${PORT}`;
}

export interface MemcachedBackend {
  readonly implementation: UntypedServiceImplementation;
  readonly store: Map<string, FakeMemcached>;
}

/** `google.cloud.memcache.v1.CloudMemcache`: Get, List, Create, Update, Delete, with first and last audit entries. */
export function memcachedBackend(options: { projectId: string; runner: OperationRunner; pool: AddressPool; unreachable: () => Unreachable }): MemcachedBackend {
  const { projectId, runner, pool } = options;
  const store = new Map<string, FakeMemcached>();
  const found = (call: Call, done: Done, action: (instance: FakeMemcached) => void): void => withInstance(store, projectId, call, done, action);
  const implementation: UntypedServiceImplementation = {
    GetInstance: (call: Call, done: Done) => found(call, done, (instance) => done(null, instance)),
    ListInstances: (call: Call, done: Done) => {
      const parent = text(call.request['parent']);
      if (!parent.startsWith(`projects/${projectId}/locations/`)) return fail(done, status.INVALID_ARGUMENT, `invalid parent: ${parent}`);
      const page = listPage([...store.values()], parent, options.unreachable(), { pageSize: Number(call.request['pageSize']), pageToken: text(call.request['pageToken']) });
      return 'error' in page ? fail(done, status.INVALID_ARGUMENT, page.error) : done(null, page);
    },
    CreateInstance: (call: Call, done: Done) => {
      const parent = text(call.request['parent']);
      const instanceId = text(call.request['instanceId']);
      const requested = record(call.request['instance']);
      const name = `${parent}/instances/${instanceId}`;
      if (!validParent(parent) || !validInstanceId(instanceId)) return fail(done, status.INVALID_ARGUMENT, `invalid parent or instance id: ${name}`);
      if (store.has(name)) return fail(done, status.ALREADY_EXISTS, `Resource '${name}' already exists`);
      const nodeCount = Number(requested['nodeCount']);
      if (!(nodeCount >= 1 && nodeCount <= 20)) return fail(done, status.INVALID_ARGUMENT, 'instance.node_count must be between 1 and 20');
      const instance: FakeMemcached = {
        name,
        displayName: text(requested['displayName']),
        labels: { ...(record(requested['labels']) as Record<string, string>) },
        state: 'CREATING',
        nodeCount,
        nodeConfig: { cpuCount: 1, memorySizeMb: 1024 },
        memcacheNodes: [],
        discoveryEndpoint: '',
      };
      store.set(name, instance);
      const request = { parent, instanceId, instance: compact(requested) };
      done(null, runner.start({ api: MEMCACHED_API, method: 'CreateInstance', instanceName: name, firstResourceName: parent, request, apply: () => (settle(instance, pool), instance) }).operation);
    },
    UpdateInstance: (call: Call, done: Done) =>
      found(call, done, (instance) => {
        const paths = maskPaths(call.request);
        const unknown = paths.filter((p) => !(UPDATABLE as readonly string[]).includes(p));
        if (paths.length === 0 || unknown.length > 0) return fail(done, status.INVALID_ARGUMENT, `update_mask must name fields of ${UPDATABLE.join(', ')}; got ${paths.join(', ')}`);
        const given = record(call.request['instance']);
        const fields = Object.fromEntries(paths.map((p) => [p, structuredClone(given[p])]));
        instance.state = 'UPDATING';
        const apply = () => (Object.assign(instance, fields), settle(instance, pool), instance);
        done(null, runner.start({ api: MEMCACHED_API, method: 'UpdateInstance', instanceName: instance.name, request: { updateMask: { paths }, instance: { name: instance.name, ...fields } }, apply }).operation);
      }),
    DeleteInstance: (call: Call, done: Done) =>
      found(call, done, (instance) => {
        instance.state = 'DELETING';
        done(null, runner.start({ api: MEMCACHED_API, method: 'DeleteInstance', instanceName: instance.name, request: { name: instance.name }, apply: () => void store.delete(instance.name) }).operation);
      }),
  };
  return { implementation, store };
}
