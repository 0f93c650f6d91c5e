import { status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { AdminApi } from './admin-api.js';
import { compact } from './audit-entry.js';
import { fail, inProjects, maskPaths, record, text, withInstance, type Call, type Done } from './grpc-handlers.js';
import { validParent, type AddressPool } from './instance-store.js';
import { listPage, type Unreachable } from './list-page.js';
import type { Method, OperationRunner } from './operations.js';

export interface BackendContext {
  /** The projects served: every name elsewhere is refused, as the services refuse a project the caller cannot see. */
  readonly projects: readonly string[];
  readonly runner: OperationRunner;
  readonly pool: AddressPool;
  readonly unreachable: () => Unreachable;
}

/** What one product's admin API looks like: its resource noun and fields, its rules, and how its resources settle. */
export interface ProductSpec<T extends { name: string; state: string }> {
  readonly api: AdminApi;
  /** `Instance` (GetInstance, CreateInstance...) or `Cluster` (GetCluster...). */
  readonly noun: 'Instance' | 'Cluster';
  /** The request field holding the resource (`instance`, `cluster`), its id field, and the collection of its names. */
  readonly field: 'instance' | 'cluster';
  readonly collection: 'instances' | 'clusters';
  readonly validId: (id: string) => boolean;
  /** Fields an update may name (camelCase); any other path is INVALID_ARGUMENT. */
  readonly updatable: readonly string[];
  /** The new resource, still CREATING, or why the request is invalid. */
  create(name: string, requested: Record<string, unknown>): T | string;
  /** What the resource looks like once an operation on it has finished. */
  settle(resource: T, pool: AddressPool): void;
}

/**
 * Get, List, Create, Update and Delete of one product, as its service answers them: list pages and unreachable
 * regions, long-running operations that move the resource through CREATING/UPDATING/DELETING, and the first and last
 * audit entries of each.
 */
export function productBackend<T extends { name: string; state: string }>(
  spec: ProductSpec<T>,
  context: BackendContext,
): { implementation: UntypedServiceImplementation; store: Map<string, T> } {
  const { projects, runner, pool } = context;
  const store = new Map<string, T>();
  const { noun, field, api } = spec;
  // withInstance reads `instance.name` of an update: a cluster's request names it under `cluster`.
  const found = (call: Call, done: Done, action: (resource: T) => void): void =>
    withInstance(
      store,
      projects,
      { ...call, request: { ...call.request, instance: call.request[field] } },
      done,
      action,
    );
  const run = (
    method: Method,
    resource: T,
    request: Record<string, unknown>,
    apply: () => object | undefined,
    done: Done,
    firstResourceName?: string,
  ): void =>
    done(
      null,
      runner.start({
        api,
        method,
        instanceName: resource.name,
        request,
        apply,
        ...(firstResourceName ? { firstResourceName } : {}),
      }).operation,
    );
  const implementation: UntypedServiceImplementation = {
    [`Get${noun}`]: (call: Call, done: Done) => found(call, done, (resource) => done(null, resource)),
    [`List${noun}s`]: (call: Call, done: Done) => {
      const parent = text(call.request['parent']);
      if (!inProjects(projects, parent) || !parent.includes('/locations/'))
        return fail(done, status.INVALID_ARGUMENT, `invalid parent: ${parent}`);
      const page = listPage([...store.values()], parent, context.unreachable(), {
        pageSize: Number(call.request['pageSize']),
        pageToken: text(call.request['pageToken']),
      });
      if ('error' in page) return fail(done, status.INVALID_ARGUMENT, page.error);
      return done(null, {
        [spec.collection]: page.instances,
        nextPageToken: page.nextPageToken,
        unreachable: page.unreachable,
      });
    },
    [`Create${noun}`]: (call: Call, done: Done) => {
      const parent = text(call.request['parent']);
      const id = text(call.request[`${field}Id`]);
      const requested = record(call.request[field]);
      const name = `${parent}/${spec.collection}/${id}`;
      if (!validParent(parent) || !spec.validId(id))
        return fail(done, status.INVALID_ARGUMENT, `invalid parent or ${field} id: ${name}`);
      if (store.has(name)) return fail(done, status.ALREADY_EXISTS, `Resource '${name}' already exists`);
      const created = spec.create(name, requested);
      if (typeof created === 'string') return fail(done, status.INVALID_ARGUMENT, created);
      store.set(name, created);
      const request = { parent, [`${field}Id`]: id, [field]: compact(requested) };
      run(`Create${noun}`, created, request, () => (spec.settle(created, pool), created), done, parent);
    },
    [`Update${noun}`]: (call: Call, done: Done) =>
      found(call, done, (resource) => {
        const paths = maskPaths(call.request);
        if (paths.length === 0 || paths.some((p) => !spec.updatable.includes(p)))
          return fail(
            done,
            status.INVALID_ARGUMENT,
            `update_mask must name fields of ${spec.updatable.join(', ')}; got ${paths.join(', ')}`,
          );
        const given = record(call.request[field]);
        const fields = Object.fromEntries(paths.map((p) => [p, structuredClone(given[p])]));
        resource.state = 'UPDATING';
        run(
          `Update${noun}`,
          resource,
          { updateMask: { paths }, [field]: { name: resource.name, ...fields } },
          () => (Object.assign(resource, fields), spec.settle(resource, pool), resource),
          done,
        );
      }),
    [`Delete${noun}`]: (call: Call, done: Done) =>
      found(call, done, (resource) => {
        resource.state = 'DELETING';
        run(`Delete${noun}`, resource, { name: resource.name }, () => void store.delete(resource.name), done);
      }),
  };
  return { implementation, store };
}
