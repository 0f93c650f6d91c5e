import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { VALKEY_API } from './admin-api.js';
import { compact } from './audit-entry.js';
import { fail, maskPaths, record, text, withInstance, type Call, type Done } from './grpc-handlers.js';
import { validParent, type AddressPool } from './instance-store.js';
import { listPage, type Unreachable } from './list-page.js';
import type { OperationRunner } from './operations.js';

/**
 * A Memorystore for Valkey instance as the local API keeps it: the `google.cloud.memorystore.v1.Instance` fields the
 * project reads, in proto-loader form. Its endpoints are PSC addresses in `endpoints[0].connections[]`.
 */
export interface FakeValkey {
  name: string;
  labels: Record<string, string>;
  state: string;
  mode: string;
  shardCount: number;
  replicaCount: number;
  nodeType: string;
  endpoints: Array<{ connections: Array<{ pscAutoConnection: { ipAddress: string; port: number; connectionType: string; network: string; projectId: string } }> }>;
}

// memorystore.proto: 4-63 characters, lowercase letters, digits and hyphens, starting with a letter or digit.
const INSTANCE_ID = /^[a-z0-9][-a-z0-9]{2,61}[a-z0-9]$/;
// Fields UpdateInstance changes here; the API takes others (persistence, engine configs) that move no endpoint.
const UPDATABLE = ['labels', 'replicaCount', 'shardCount', 'nodeType'] as const;

/**
 * The PSC connections an ACTIVE instance has, as the service assigns them: one DISCOVERY connection in cluster mode;
 * otherwise a PRIMARY one, and a READER one while it has replicas. Addresses are kept for the instance's life.
 */
function settle(instance: FakeValkey, pool: AddressPool): void {
  instance.state = 'ACTIVE';
  const project = instance.name.split('/')[1] ?? '';
  const existing = new Map((instance.endpoints[0]?.connections ?? []).map((c) => [c.pscAutoConnection.connectionType, c]));
  const connection = (type: string) => existing.get(type) ?? { pscAutoConnection: { ipAddress: pool.take(), port: 6379, connectionType: type, network: `projects/${project}/global/networks/default`, projectId: project } };
  const types = instance.mode === 'CLUSTER' ? ['CONNECTION_TYPE_DISCOVERY'] : ['CONNECTION_TYPE_PRIMARY', ...(instance.replicaCount > 0 ? ['CONNECTION_TYPE_READER'] : [])];
  instance.endpoints = [{ connections: types.map(connection) }];
}

export interface ValkeyBackend {
  readonly implementation: UntypedServiceImplementation;
  readonly store: Map<string, FakeValkey>;
}

/** `google.cloud.memorystore.v1.Memorystore`: Get, List, Create, Update, Delete, with first and last audit entries. */
export function valkeyBackend(options: { projectId: string; runner: OperationRunner; pool: AddressPool; unreachable: () => Unreachable }): ValkeyBackend {
  const { projectId, runner, pool } = options;
  const store = new Map<string, FakeValkey>();
  const found = (call: Call, done: Done, action: (instance: FakeValkey) => void): void => withInstance(store, projectId, call, done, action);
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
      if (!validParent(parent) || !INSTANCE_ID.test(instanceId)) return fail(done, status.INVALID_ARGUMENT, `invalid parent or instance id: ${name}`);
      if (store.has(name)) return fail(done, status.ALREADY_EXISTS, `Resource '${name}' already exists`);
      const mode = requested['mode'] === 'CLUSTER_DISABLED' ? 'CLUSTER_DISABLED' : 'CLUSTER';
      const instance: FakeValkey = {
        name,
        labels: { ...(record(requested['labels']) as Record<string, string>) },
        state: 'CREATING',
        mode,
        shardCount: mode === 'CLUSTER' ? Number(requested['shardCount']) || 3 : 1,
        replicaCount: Number(requested['replicaCount']) || 0,
        nodeType: text(requested['nodeType']) || 'SHARED_CORE_NANO',
        endpoints: [],
      };
      store.set(name, instance);
      const request = { parent, instanceId, instance: compact(requested) };
      done(null, runner.start({ api: VALKEY_API, method: 'CreateInstance', instanceName: name, firstResourceName: parent, request, apply: () => (settle(instance, pool), instance) }).operation);
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
        done(null, runner.start({ api: VALKEY_API, method: 'UpdateInstance', instanceName: instance.name, request: { updateMask: { paths }, instance: { name: instance.name, ...fields } }, apply }).operation);
      }),
    DeleteInstance: (call: Call, done: Done) =>
      found(call, done, (instance) => {
        instance.state = 'DELETING';
        done(null, runner.start({ api: VALKEY_API, method: 'DeleteInstance', instanceName: instance.name, request: { name: instance.name }, apply: () => void store.delete(instance.name) }).operation);
      }),
  };
  return { implementation, store };
}
