import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject} from '@kubernetes/client-node';
import type { ClusterStore } from './cluster-store.js';
import { TransientError, WriteConflictError } from '../errors.js';
import {
  fieldManager, ISTIO_API_VERSION, ISTIO_KINDS, LABEL_MANAGED_BY, LABEL_OWNER, PROJECT, refKey, type KubeObject, type ObjectRef,
} from '../model/k8s-object.js';
import type { GatewayServiceState, ServicePort } from '../plan/service-ports.js';

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

/** Maps API errors to our error types: 409 and 5xx/429 are worth a retry, others are not. */
function translate(error: unknown, action: string): never {
  if (error instanceof ApiException) {
    const code = (error as ApiException<unknown>).code;
    if (code === 409) throw new WriteConflictError(`${action}: the object changed or exists (HTTP 409)`, { cause: error });
    if (TRANSIENT_STATUS.has(code)) throw new TransientError(`${action}: Kubernetes API answered HTTP ${code}`, { cause: error });
    throw new Error(`${action}: Kubernetes API answered HTTP ${code}`, { cause: error });
  }
  if (error instanceof Error && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|fetch failed/i.test(error.message)) {
    throw new TransientError(`${action}: ${error.message}`, { cause: error });
  }
  throw error;
}

const isNotFound = (error: unknown): boolean => error instanceof ApiException && (error as ApiException<unknown>).code === 404;

/** The client returns typed objects (dates as Date); plain JSON keeps comparisons and patches exact. */
function plain(object: unknown): KubeObject {
  const json = JSON.parse(JSON.stringify(object)) as KubeObject & { metadata: Record<string, unknown> };
  const { name, namespace, labels, annotations, resourceVersion } = json.metadata as unknown as KubeObject['metadata'];
  return {
    apiVersion: json.apiVersion,
    kind: json.kind,
    metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}), ...(resourceVersion ? { resourceVersion } : {}) },
    spec: json.spec ?? {},
  };
}

const header = (ref: ObjectRef): { apiVersion: string; kind: string; metadata: { name: string; namespace: string } } => ({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } });

/** Ports our field manager applied, read from managedFields (`f:spec.f:ports.k:{"port":N,"protocol":"TCP"}`). */
type ManagedFieldsEntry = { manager?: string; operation?: string; fieldsV1?: Record<string, Record<string, Record<string, unknown>>> };

function ownedPortNumbers(managedFields: unknown, manager: string): Set<number> {
  const entries = (Array.isArray(managedFields) ? managedFields : []) as ManagedFieldsEntry[];
  const ours = entries.filter((e) => e.manager === manager && e.operation === 'Apply');
  const keys = ours.flatMap((e) => Object.keys(e.fieldsV1?.['f:spec']?.['f:ports'] ?? {}));
  return new Set(keys.map(portOfKey).filter((p): p is number => p !== undefined));
}

function portOfKey(key: string): number | undefined {
  const match = /^k:(\{.*\})$/.exec(key);
  const port = match?.[1] ? (JSON.parse(match[1]) as { port?: unknown }).port : undefined;
  return typeof port === 'number' ? port : undefined;
}

export class KubeClusterStore implements ClusterStore {
  private readonly api: KubernetesObjectApi;
  private readonly manager: string;

  constructor(kubeConfig: KubeConfig, ownerId: string) {
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.manager = fieldManager(ownerId);
  }

  async listOwned(namespace: string, ownerId: string): Promise<KubeObject[]> {
    const selector = `${LABEL_MANAGED_BY}=${PROJECT},${LABEL_OWNER}=${ownerId}`;
    const lists = await Promise.all(
      ISTIO_KINDS.map(async (kind) => {
        const items: KubeObject[] = [];
        let token: string | undefined;
        do {
          const page = await this.api.list(ISTIO_API_VERSION, kind, namespace, undefined, undefined, undefined, undefined, selector, 500, token).catch((e: unknown) => translate(e, `list ${kind}`));
          items.push(...page.items.map((item) => plain({ ...item, apiVersion: ISTIO_API_VERSION, kind })));
          token = page.metadata?._continue || undefined;
        } while (token);
        return items;
      }),
    );
    return lists.flat();
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return plain(await this.api.read(header(ref)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      return translate(error, `get ${refKey(ref)}`);
    }
  }

  async readGatewayService(namespace: string, name: string): Promise<GatewayServiceState> {
    const service = await this.api.read(header({ apiVersion: 'v1', kind: 'Service', namespace, name })).catch((e: unknown) => {
      if (isNotFound(e)) throw new Error(`egress gateway Service ${namespace}/${name} not found (EGRESS_GATEWAY_NAMESPACE, EGRESS_GATEWAY_SERVICE)`);
      return translate(e, `get Service ${namespace}/${name}`);
    });
    const json = JSON.parse(JSON.stringify(service)) as { metadata?: { managedFields?: unknown; resourceVersion?: string }; spec?: { ports?: Array<ServicePort & { targetPort?: unknown }> } };
    const ports = json.spec?.ports ?? [];
    const owned = ownedPortNumbers(json.metadata?.managedFields, this.manager);
    return {
      namespace,
      name,
      ports: ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })),
      ownedPorts: ports.filter((p) => owned.has(p.port)).map((p) => ({ name: p.name, port: p.port, targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' })),
      ...(json.metadata?.resourceVersion ? { resourceVersion: json.metadata.resourceVersion } : {}),
    };
  }

  async create(object: KubeObject): Promise<KubeObject> {
    return plain(await this.api.create(object as KubernetesObject, undefined, undefined, this.manager).catch((e: unknown) => translate(e, `create ${refKey(refOfObject(object))}`)));
  }

  async replace(object: KubeObject): Promise<KubeObject> {
    return plain(await this.api.replace(object as KubernetesObject, undefined, undefined, this.manager).catch((e: unknown) => translate(e, `replace ${refKey(refOfObject(object))}`)));
  }

  async delete(object: KubeObject): Promise<void> {
    const preconditions = object.metadata.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : undefined;
    try {
      await this.api.delete(object, undefined, undefined, undefined, undefined, undefined, preconditions ? { preconditions } : undefined);
    } catch (error) {
      if (isNotFound(error)) return; // already gone: the goal is reached
      translate(error, `delete ${refKey(refOfObject(object))}`);
    }
  }

  async applyServicePorts(body: KubeObject): Promise<string | undefined> {
    // force: we take ownership of exactly the ports we list; another manager holding one of them is prevented by the
    // allocator, which never hands out a port already on the Service. A resourceVersion in the body makes the apply
    // fail with 409 if the Service changed since it was read.
    const applied = await this.api
      .patch(body as KubernetesObject, undefined, undefined, this.manager, true, PatchStrategy.ServerSideApply)
      .catch((e: unknown) => translate(e, `apply Service ${body.metadata.namespace}/${body.metadata.name}`));
    return applied.metadata?.resourceVersion;
  }
}

function refOfObject(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}
