import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterStore } from './cluster-store.js';
import { KubeHttp, type KubeHttpOptions } from './kube/kube-http.js';
import type { KubeEndpoint } from './kube/kube-endpoint.js';
import { kubeConfigEndpoint } from './kube/kubeconfig-endpoint.js';
import { listAllPages } from './kube/list-pages.js';
import { declarationOf } from './kube/access-declarations.js';
import { ACCESS_GROUP, ACCESS_KIND, ACCESS_VERSION, type AccessDeclaration } from '../model/access.js';
import { ConfigMapOutbox } from './kube/configmap-outbox.js';
import { outboxName, type AuditOutbox } from '../audit/audit-outbox.js';
import { objectPath, plainObject } from './kube/paths.js';
import { ownedPortNumbers } from './kube/managed-fields.js';
import { KubeApiError, PermanentError, TransientError, WriteConflictError } from '../errors.js';
import { fieldManager, INSTANCE_KINDS, refKey, refOf, type KubeObject, type ObjectRef } from '../model/k8s-object.js';
import type { GatewayServiceState, ServicePort } from '../plan/service-ports.js';

/** 409 means another writer got there first: re-read and plan again. Other 4xx answers are refusals no retry fixes. */
function translate(error: unknown, action: string): never {
  if (error instanceof KubeApiError) {
    if (error.status === 409)
      throw new WriteConflictError(`${action}: the object changed or exists (HTTP 409 ${error.reason})`, {
        cause: error,
      });
    const message = `${action}: Kubernetes API answered HTTP ${error.status} ${error.reason}: ${error.message}`;
    // 408 and 429 are worth another try (the client already retried 429 and 5xx in-process before this point).
    if (error.status === 408 || error.status === 429 || error.status >= 500)
      throw new TransientError(message, { cause: error });
    throw new PermanentError(message, { cause: error });
  }
  if (error instanceof TransientError) {
    // Named for the action, and still of its own class (an incomplete list stays one).
    const SameClass = error.constructor as new (message: string, options: { cause: unknown }) => TransientError;
    throw new SameClass(`${action}: ${error.message}`, { cause: error });
  }
  throw error;
}

const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.status === 404;

type ServiceJson = {
  metadata?: { name?: string; managedFields?: unknown; resourceVersion?: string };
  spec?: { ports?: Array<ServicePort & { targetPort?: unknown }> };
};

export class KubeClusterStore implements ClusterStore {
  private readonly http: KubeHttp;
  private readonly manager: string;
  private readonly pageSize: number;

  private readonly outbox?: AuditOutbox;

  /** A kubeconfig already loaded (tests, tools) is taken as it is; the function passes an endpoint. */
  constructor(
    cluster: KubeEndpoint | KubeConfig,
    ownerId: string,
    options: KubeHttpOptions & { readonly pageSize?: number; readonly outboxNamespace?: string } = {},
  ) {
    this.http = new KubeHttp('getCurrentCluster' in cluster ? kubeConfigEndpoint(cluster) : cluster, options);
    this.manager = fieldManager(ownerId);
    this.pageSize = options.pageSize ?? 500;
    if (options.outboxNamespace)
      this.outbox = new ConfigMapOutbox(this.http, options.outboxNamespace, outboxName(ownerId), ownerId);
  }

  auditOutbox(): AuditOutbox | undefined {
    return this.outbox;
  }

  async listIstio(namespace: string, labelSelector?: string, only?: readonly string[]): Promise<KubeObject[]> {
    const kinds = only ? INSTANCE_KINDS.filter(({ kind }) => only.includes(kind)) : INSTANCE_KINDS;
    // The AuthorizationPolicies of declared mode are read in open mode too, so switching back prunes them.
    const list = ({ apiVersion, kind }: (typeof INSTANCE_KINDS)[number]): Promise<KubeObject[]> =>
      listAllPages(this.http, {
        apiVersion,
        kind,
        namespace,
        pageSize: this.pageSize,
        ...(labelSelector ? { labelSelector } : {}),
      }).catch((e: unknown) => translate(e, `list ${kind} in ${namespace}`));
    // A selected list (an event's instance) is small: the kinds are read at once. A whole namespace (a resync) is read
    // one kind at a time, so only one page of raw JSON is in memory at any moment.
    if (labelSelector) return (await Promise.all(kinds.map(list))).flat();
    const objects: KubeObject[] = [];
    for (const kind of kinds) for (const object of await list(kind)) objects.push(object);
    return objects;
  }

  async listAccessDeclarations(): Promise<{ declarations: AccessDeclaration[]; malformed: string[] }> {
    const objects = await listAllPages(this.http, {
      apiVersion: `${ACCESS_GROUP}/${ACCESS_VERSION}`,
      kind: ACCESS_KIND,
      namespace: '',
      pageSize: this.pageSize,
    }).catch((e: unknown) => translate(e, `list ${ACCESS_KIND} in every namespace`));
    const declarations: AccessDeclaration[] = [];
    const malformed: string[] = [];
    for (const object of objects) {
      const declaration = declarationOf(object);
      if (declaration) declarations.push(declaration);
      else malformed.push(`${object.metadata.namespace}/${object.metadata.name}`);
    }
    return { declarations, malformed };
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return plainObject(await this.http.send({ method: 'GET', path: objectPath(ref) }), ref);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      return translate(error, `get ${refKey(ref)}`);
    }
  }

  async readGatewayService(namespace: string, name: string): Promise<GatewayServiceState> {
    const ref = { apiVersion: 'v1', kind: 'Service', namespace, name };
    const json = await this.http.send<ServiceJson>({ method: 'GET', path: objectPath(ref) }).catch((e: unknown) => {
      if (isNotFound(e))
        throw new Error(
          `egress gateway Service ${namespace}/${name} not found (EGRESS_GATEWAY_NAMESPACE, EGRESS_GATEWAY_SERVICE)`,
        );
      return translate(e, `get Service ${namespace}/${name}`);
    });
    return serviceState(json, namespace, name, ownedPortNumbers(json.metadata?.managedFields, this.manager));
  }

  async listPortServices(namespace: string, labelSelector: string, limit?: number): Promise<GatewayServiceState[]> {
    const listed = await listAllPages(this.http, {
      apiVersion: 'v1',
      kind: 'Service',
      namespace,
      pageSize: limit ?? this.pageSize,
      labelSelector,
      ...(limit === undefined ? {} : { firstPageOnly: true }),
    }).catch((e: unknown) => translate(e, `list Services in ${namespace}`));
    return listed.map((service) => ownServiceState(service as unknown as ServiceJson, namespace));
  }

  async readPortService(namespace: string, name: string): Promise<GatewayServiceState | undefined> {
    const ref = { apiVersion: 'v1', kind: 'Service', namespace, name };
    try {
      return ownServiceState(await this.http.send<ServiceJson>({ method: 'GET', path: objectPath(ref) }), namespace);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      return translate(error, `get Service ${namespace}/${name}`);
    }
  }

  async create(object: KubeObject): Promise<KubeObject> {
    const ref = refOf(object);
    const path = objectPath({ ...ref, name: '' }).replace(/\/$/, '');
    // try, not .catch(): one promise less per write (see shared/each-bounded.ts for why that counts).
    try {
      return plainObject(
        await this.http.send({ method: 'POST', path, query: { fieldManager: this.manager }, body: object }),
        ref,
      );
    } catch (error) {
      return translate(error, `create ${refKey(ref)}`);
    }
  }

  async replace(object: KubeObject): Promise<KubeObject> {
    const ref = refOf(object);
    try {
      return plainObject(
        await this.http.send({
          method: 'PUT',
          path: objectPath(ref),
          query: { fieldManager: this.manager },
          body: object,
        }),
        ref,
      );
    } catch (error) {
      return translate(error, `replace ${refKey(ref)}`);
    }
  }

  async delete(object: KubeObject): Promise<void> {
    const ref = refOf(object);
    const preconditions = object.metadata.resourceVersion
      ? { preconditions: { resourceVersion: object.metadata.resourceVersion } }
      : {};
    try {
      await this.http.send({
        method: 'DELETE',
        path: objectPath(ref),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', ...preconditions },
      });
    } catch (error) {
      if (isNotFound(error)) return; // already gone: the goal is reached
      translate(error, `delete ${refKey(ref)}`);
    }
  }

  async applyServicePorts(body: KubeObject): Promise<string | undefined> {
    // force: we take ownership of exactly the ports we list; another manager holding one of them is prevented by the
    // allocator, which never hands out a port already on the Service. A resourceVersion in the body makes the apply
    // fail with 409 if the Service changed since it was read.
    const ref = refOf(body);
    const applied = await this.http
      .send<{ metadata?: { resourceVersion?: string } }>({
        method: 'PATCH',
        path: objectPath(ref),
        query: { fieldManager: this.manager, force: 'true' },
        body,
        contentType: 'application/apply-patch+yaml',
      })
      .catch((e: unknown) => translate(e, `apply Service ${ref.namespace}/${ref.name}`));
    return applied.metadata?.resourceVersion;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** The Service as the planner sees it: every port, and those of ours. */
function serviceState(json: ServiceJson, namespace: string, name: string, owned: Set<number>): GatewayServiceState {
  const ports = json.spec?.ports ?? [];
  return {
    namespace,
    name,
    ports: ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })),
    ownedPorts: ports
      .filter((p) => owned.has(p.port))
      .map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port,
        protocol: p.protocol ?? 'TCP',
      })),
    ...(json.metadata?.resourceVersion ? { resourceVersion: json.metadata.resourceVersion } : {}),
  };
}

/** A Service of ours is ours whole: every port on it is one of ours. */
function ownServiceState(json: ServiceJson, namespace: string): GatewayServiceState {
  return serviceState(json, namespace, json.metadata?.name ?? '', new Set(json.spec?.ports?.map((p) => p.port)));
}
