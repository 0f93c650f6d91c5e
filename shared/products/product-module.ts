import type { InstancePhase, MemorystoreInstance } from '../model/instance.js';

/**
 * One Memorystore product: everything the project knows of it, behind one interface (release-please's strategies
 * and their factory are the model). Each product is a folder beside this file; registry.ts lists them. Each is a
 * source of endpoints: its client reads the product's own API and its mapper yields the one instance model
 * (model/instance.ts) that planning and rendering consume.
 */
export interface ProductModule<Id extends string = string, Api = never> {
  /** Its name in MEMORYSTORE_PRODUCTS, in Terraform's `memorystore_products` and in records. */
  readonly id: Id;
  /** Google's name for it, for people: `Memorystore for Redis`. */
  readonly title: string;
  readonly naming: ProductNaming;
  readonly adminMethods: AdminMethods;
  /**
   * The monitored resource an audit entry may name an instance by, when neither its resourceName nor its request
   * does: `redis_instance` (project_id, region, instance_id), `redis.googleapis.com/Cluster` (resource_container,
   * location, cluster_id). https://cloud.google.com/monitoring/api/resources#tag_redis_instance
   */
  readonly monitoredResource?: { readonly type: string; readonly idLabel: string };
  /** The product's API resource as the instance model; pure. */
  readonly toInstance: (api: Api) => MemorystoreInstance;
}

/** What a product's REST calls need: the project, and a local endpoint instead of Google's (tests, the demo). */
export interface ClientSettings {
  readonly project: string;
  readonly memorystoreEndpoint?: { readonly host: string; readonly port: number; readonly plaintext: boolean };
}

export interface ProductNaming {
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
  /**
   * The wire protocol, for port names (`tcp-redis`, `tcp-memcache`): Istio reads only the `tcp` prefix. The gateway
   * server names are read back by render/port-names.ts, which knows these two.
   */
  readonly protocol: 'redis' | 'memcache';
  /** The state the API reports once an instance has settled. */
  readonly readyState: string;
  /**
   * The collection of its resource names (`projects/P/locations/L/<collection>/ID`) and the id's field in a create
   * request.
   */
  readonly collection: string;
  readonly idField: string;
  /** Instance id rules of the product's API (CreateInstanceRequest.instance_id in its proto). */
  readonly instanceId: RegExp;
  /** Whether the product's client reports an instance's labels, so INSTANCE_LABEL_SELECTOR can select it. */
  readonly labelsReadable: boolean;
}

/**
 * The admin methods of a product, as they appear in `protoPayload.methodName` of Admin Activity audit entries:
 * `<proto package>.<service>.<method>`, in each API version that has them. Terraform's sink filter lists the same
 * (a test checks that the two agree).
 */
export interface AdminMethods {
  readonly interfaces: readonly string[];
  /**
   * Methods that change, or may change, an instance's existence or endpoints; the others change nothing the mesh needs.
   */
  readonly changing: readonly string[];
}

/** Keeps a module's id as its literal type, so the registry can name the union of products. */
export const defineProduct = <const Id extends string, Api>(module: ProductModule<Id, Api>): ProductModule<Id, Api> =>
  module;

/** Where an instance is in its life, from the state its API reports (every product says DELETING). */
export function phaseOf(naming: Pick<ProductNaming, 'readyState'>, state: string): InstancePhase {
  return state === naming.readyState ? 'ready' : state === 'DELETING' ? 'deleting' : 'changing';
}
