import type { LabelRequirement } from '../model/label-selector.js';
import type { Product } from '../products/registry.js';
import type { AccessMode } from '../model/access.js';

/**
 * The settings, by who reads them. parse-config.ts builds them once, at an entry point (a function's start-up, a
 * command); every stage takes the narrow part it reads from here, and none reads the environment or the parser.
 */

/** `ambient`: ServiceEntries the waypoint of the egress namespace serves (render-ambient.ts); no gateway objects. */
export const SYNC_MODES = ['egress-gateway', 'direct', 'ambient'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export type KubeAccess =
  /** `setting`: where the file was named, for messages (`SYNC_CLUSTERS[1]`); KUBECONFIG and KUBE_CONTEXT otherwise. */
  | { readonly kind: 'kubeconfig'; readonly path: string; readonly context?: string; readonly setting?: string }
  /** `server`: the https URL requests go to, `https://<endpoint host>` or a full URL (the Connect gateway's has a path). */
  | { readonly kind: 'gke'; readonly server: string; readonly caCertBase64?: string };

/** How a cluster's mesh is laid out: what rendering and planning read of a cluster, no access to it needed. */
export interface MeshSettings {
  readonly mode: SyncMode;
  readonly istioNamespace: string;
  /** SHARDED_NODE_PORTS: in direct and ambient mode, ServiceEntries for a sharded target's node ports too. */
  readonly shardedNodePorts: boolean;
  /** AMBIENT_WAYPOINT: in ambient mode, the waypoint (its Gateway's name) each ServiceEntry names to be served by. */
  readonly ambientWaypoint: string;
  /**
   * AMBIENT_GATEWAY_BRIDGE (or a SYNC_CLUSTERS entry's `gatewayBridge`), ambient mode only: the egress gateway's route
   * is kept beside the waypoint for pods still on sidecars, and ends at the waypoint (render-ambient.ts), which admits
   * the gateway by `gatewayPrincipal` (EGRESS_GATEWAY_PRINCIPAL). Absent: no bridge.
   */
  readonly gatewayBridge?: { readonly gatewayPrincipal: string };
  readonly hostSuffix: string;
  readonly exportTo: readonly string[];
  readonly egressGateway: {
    readonly namespace: string;
    readonly service: string;
    readonly selector: Readonly<Record<string, string>>;
    /**
     * GATEWAY_PORTS_PER_SERVICE: the gateway ports each Service holds (config/gateway-services.ts); unset, the egress
     * gateway Service holds them all.
     */
    readonly portsPerService?: number;
  };
  readonly gatewayPortRange: { readonly from: number; readonly to: number };
  /**
   * CLUSTER_NETWORKS, or the cluster's `networks` in SYNC_CLUSTERS: the VPC networks (`projects/P/global/networks/N`)
   * its pods reach; an instance on none of them is not written there. Absent: no instance is checked.
   */
  readonly networks?: readonly string[];
}

/**
 * One cluster a deployment keeps in step: how to reach it, and what it gets there. Its name is what audit records and
 * log lines call it, so an operator with several clusters can tell which one a change went to. Mode and namespace may
 * be its own (SYNC_CLUSTERS); the rest of its mesh layout is the deployment's.
 */
export interface ClusterTarget extends MeshSettings {
  readonly name: string;
  readonly kube: KubeAccess;
  /**
   * The cluster as GKE's audit entries name it (`projects/P/locations/L/clusters/C`), so an entry about a
   * MemorystoreAccess declaration reaches the cluster it was written in; absent: such entries reach no cluster.
   */
  readonly gke?: string;
}

/** What the Memorystore APIs are read with. */
export interface MemorystoreSettings {
  /** MEMORYSTORE_PROJECT: the deployment's own project (Google clients' default project, the logs' trace project). */
  readonly project: string;
  /** MEMORYSTORE_PRODUCTS: the products whose instances are synced (each read through its own API). */
  readonly products: readonly Product[];
  readonly memorystoreEndpoint?: { readonly host: string; readonly port: number; readonly plaintext: boolean };
}

/** AUDIT_TOPIC and AUDIT_REQUIRED: where records go, and whether a record that cannot be published stops a change. */
export interface AuditSettings {
  readonly topic?: string;
  readonly required: boolean;
}

/** What the whole process shares, whichever cluster a sync works on. */
export interface ProcessSettings extends MemorystoreSettings {
  /** MEMORYSTORE_PROJECTS, or MEMORYSTORE_PROJECT alone: the projects whose instances are synced. */
  readonly projects: readonly string[];
  /**
   * MEMORYSTORE_SCOPE: `folders/N` or `organizations/N`, every project under which is synced (the instances found with
   * Cloud Asset Inventory); `projects` is then the deployment's own project alone, and no event is refused by it.
   */
  readonly scope?: string;
  readonly locations: readonly string[];
  /** INSTANCE_LABEL_SELECTOR: the instances that get configuration; empty, every instance. */
  readonly instanceSelector: readonly LabelRequirement[];
  readonly ownerId: string;
  readonly maxPruneFraction: number;
  readonly eventMaxAgeSeconds: number;
  readonly portQuarantineSeconds: number;
  /** CLUSTER_DEADLINE_SECONDS: one cluster's share of an event. */
  readonly clusterDeadlineSeconds: number;
  /** KUBE_WRITES_IN_FLIGHT: writes to one cluster's apiserver at once (parse-config.ts says why 64). */
  readonly writesInFlight: number;
  /** EVENT_TOPIC: where the part of an event some clusters could not take is published again. */
  readonly eventTopic?: string;
  readonly audit: AuditSettings;
  /** ACCESS_MODE and ACCESS_TRUST_DOMAIN: who may reach each instance (model/access.ts). */
  readonly access: { readonly mode: AccessMode; readonly trustDomain: string };
}

/** A deployment's settings: the process's, and the clusters kept in step (SYNC_CLUSTERS, or the one configured). */
export interface Settings {
  readonly process: ProcessSettings;
  readonly clusters: readonly [ClusterTarget, ...ClusterTarget[]];
}

/** What a sync of one cluster reads: the process's settings and that cluster's, side by side as parsed. */
export interface SyncSettings {
  readonly process: ProcessSettings;
  readonly cluster: ClusterTarget;
}

/** What `render` reads: no cluster is reached, so no access is configured, only how the mesh is laid out. */
export interface RenderCommandSettings {
  readonly process: ProcessSettings;
  readonly cluster: MeshSettings;
}

/**
 * How `resync` checks its caller's identity token. `cloud-run`: the platform's front end verified the token (IAM
 * invocation check) and removed its signature; only such a token is accepted, and its claims are checked here.
 * `verify`: the token arrives intact and its Google signature is verified here as well.
 */
export type ResyncAuthMode = 'cloud-run' | 'verify';

/** Who may call `resync`. Parsed apart from the rest, which the command line uses without it. */
export interface ResyncAuth {
  readonly mode: ResyncAuthMode;
  /** The URL callers call (the function's `run.app` URL): the `aud` their identity tokens must carry, exactly. */
  readonly audience: string;
  readonly allowedPrincipals: readonly string[];
  readonly schedulerPrincipal?: string;
  readonly certsUrl?: string;
}
