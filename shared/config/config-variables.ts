import { PRODUCT_MODULES } from '../products/registry.js';

/**
 * Every environment variable the functions read, with its default and meaning. This list is the single source for
 * the configuration parser, the configuration table of docs/configuration.md and the Terraform wiring test.
 *
 * `deployed`: Terraform sets it on the deployed functions. The others exist for local runs and tests only.
 */
export interface ConfigVariable {
  readonly name: string;
  readonly required: boolean;
  readonly deployed: boolean;
  readonly default?: string;
  readonly description: string;
}

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  {
    name: 'MEMORYSTORE_PROJECT',
    required: true,
    deployed: true,
    description:
      "The deployment's own project (its functions, topics and logs), whose Memorystore instances are synced unless MEMORYSTORE_PROJECTS names others.",
  },
  {
    name: 'MEMORYSTORE_PROJECTS',
    required: false,
    deployed: true,
    description:
      'Comma-separated projects whose Memorystore instances are synced, when they are several (the service projects of a Shared VPC, say); empty: MEMORYSTORE_PROJECT alone. A resync lists each product in each of them and each location; a project whose listing fails is left as it is (nothing of it pruned). An audit event about an instance of a project not listed is acknowledged without action.',
  },
  {
    name: 'MEMORYSTORE_SCOPE',
    required: false,
    deployed: true,
    description:
      "A folder (`folders/NUMBER`) or an organization (`organizations/NUMBER`) every project under which is synced, instead of a list of projects: a resync finds the instances with Cloud Asset Inventory (`searchAllResources` over the synced products' asset types, the caller needs `cloudasset.assets.searchAllResources` there) and lists each product only in the projects and locations that hold one. An audit event is taken from any project (the folder or organization sink routes only its own projects' entries). Not together with MEMORYSTORE_PROJECTS.",
  },
  {
    name: 'MEMORYSTORE_PRODUCTS',
    required: false,
    deployed: true,
    default: 'redis',
    description: `Comma-separated Memorystore products to sync: ${PRODUCT_MODULES.map((m) => `\`${m.id}\` (${m.title})`).join(', ')}. Each is read through its own API, which must be enabled.`,
  },
  {
    name: 'MEMORYSTORE_LOCATIONS',
    required: false,
    deployed: true,
    default: '-',
    description: 'Comma-separated regions to sync; `-` means all regions.',
  },
  {
    name: 'MEMORYSTORE_API_ENDPOINT',
    required: false,
    deployed: false,
    description:
      "Memorystore API `host:port` for every product (default: each product's Google endpoint), its REST reads under `/<service name>/v1/`. For a local server in tests and the demo.",
  },
  {
    name: 'MEMORYSTORE_API_PLAINTEXT',
    required: false,
    deployed: false,
    default: 'false',
    description: '`true` to talk plaintext HTTP, with no Google credentials, to MEMORYSTORE_API_ENDPOINT.',
  },
  {
    name: 'INSTANCE_LABEL_SELECTOR',
    required: false,
    deployed: true,
    description:
      'Only instances whose Memorystore labels match get egress configuration, e.g. `mesh-egress=enabled`: comma-separated `key=value`, `key!=value`, `key` or `!key`, all of which must hold. An instance that stops matching loses its objects. Empty: every instance.',
  },
  {
    name: 'KUBECONFIG',
    required: false,
    deployed: false,
    description: 'Kubeconfig file for cluster access (local runs, tests). Either this or GKE_CLUSTER_ENDPOINT.',
  },
  {
    name: 'KUBE_CONTEXT',
    required: false,
    deployed: false,
    description: 'Context to use from KUBECONFIG (default: its current context).',
  },
  {
    name: 'GKE_CLUSTER_ENDPOINT',
    required: false,
    deployed: false,
    description:
      "GKE control-plane endpoint: a host (IP or DNS name), or an `https://` server URL such as the Connect gateway's (`https://connectgateway.googleapis.com/v1/projects/NUMBER/locations/LOCATION/gkeMemberships/MEMBERSHIP`); the token comes from Application Default Credentials.",
  },
  {
    name: 'GKE_CLUSTER_CA_CERT',
    required: false,
    deployed: false,
    description:
      'Base64 PEM of the cluster CA; empty for a DNS endpoint or the Connect gateway (system trust is used).',
  },
  {
    name: 'SYNC_CLUSTERS',
    required: false,
    deployed: true,
    description:
      'Several clusters kept in step by one deployment: a JSON array, one object per cluster, `{"name": "prod-eu", "endpoint": "HOST or https URL", "caCert": "base64 PEM"}` (GKE) or `{"name": "dev", "kubeconfig": "PATH", "context": "CONTEXT"}`, each optionally with `"mode"` (as SYNC_MODE), `"gatewayBridge"` (`true` or `false`, as AMBIENT_GATEWAY_BRIDGE; `true` only with mode `ambient`), `"istioNamespace"` (as ISTIO_NAMESPACE), `"networks"` (as CLUSTER_NETWORKS, a JSON array) and `"gke"` (`projects/P/locations/L/clusters/C`, the cluster as GKE audit entries name it, so a MemorystoreAccess change there reaches it: docs/least-access.md). Names are DNS labels, unique, and appear in audit records. One cluster under two names is refused: two entries may not share a server URL (an endpoint, or the server a kubeconfig context resolves to) or a kubeconfig file and context. When set, GKE_CLUSTER_ENDPOINT must not be, and KUBECONFIG and KUBE_CONTEXT are ignored.',
  },
  {
    name: 'CLUSTER_NAME',
    required: false,
    deployed: false,
    default: 'default',
    description:
      'Name of the one cluster given by GKE_CLUSTER_ENDPOINT or KUBECONFIG (without SYNC_CLUSTERS), as audit records and logs name it.',
  },
  {
    name: 'CLUSTER_NETWORKS',
    required: false,
    deployed: false,
    description:
      "Comma-separated VPC networks the cluster's pods reach, each `projects/P/global/networks/N` (a Shared VPC's network is in its host project). An instance on none of them (Redis and Memcached `authorizedNetwork`, Valkey and Redis Cluster PSC connections' `network`) is not written to the cluster: it is skipped with a record, and its objects there are removed; of an instance with endpoints in several networks, the endpoints on the first listed network it is on are written. Unset: no instance is checked, and one with endpoints in several networks is refused. For every cluster that names no `networks` in SYNC_CLUSTERS; Terraform gives each cluster its GKE network there (docs/design.md, Networks).",
  },
  {
    name: 'SYNC_MODE',
    required: false,
    deployed: true,
    default: 'egress-gateway',
    description:
      '`egress-gateway` (ServiceEntry, Gateway, DestinationRule, VirtualService, Service port), `direct` (ServiceEntry only) or `ambient` (ServiceEntry labelled `istio.io/use-waypoint`, served by the waypoint of the egress namespace ISTIO_NAMESPACE; with ACCESS_MODE=declared an AuthorizationPolicy on it, enforced by that waypoint).',
  },
  {
    name: 'SHARDED_NODE_PORTS',
    required: false,
    deployed: true,
    default: 'false',
    description:
      '`true`: in `direct` and `ambient` mode, a sharded target (Redis Cluster, Valkey in cluster mode) also gets ServiceEntries for its node ports, TCP 11000-13047 on each of its PSC addresses (32 ServiceEntries of 64 ports), so its clients can follow the shard map (under `REGISTRY_ONLY`; in `ambient` mode through the waypoint, with a waypoint policy per 16 ServiceEntries in declared mode). In `direct` mode it costs every proxy they are exported to 2,048 listeners per address and 2,048 clusters per sharded target; in `ambient` mode ztunnel holds no listener per port (docs/design.md, Memorystore products). No effect in `egress-gateway` mode.',
  },
  {
    name: 'AMBIENT_WAYPOINT',
    required: false,
    deployed: true,
    default: 'waypoint',
    description:
      "In `ambient` mode, the waypoint that serves the ServiceEntries: the value of the `istio.io/use-waypoint` label each carries, the name of the waypoint's Gateway in ISTIO_NAMESPACE (`istioctl waypoint apply` names it `waypoint`). The installer deploys the waypoint and enrols the namespace; nothing here writes either.",
  },
  {
    name: 'AMBIENT_GATEWAY_BRIDGE',
    required: false,
    deployed: true,
    default: 'false',
    description:
      "`true`: in `ambient` mode, a bridge for a cluster whose pods move to ambient namespace by namespace. Each instance keeps egress-gateway mode's route (Gateway, DestinationRule, VirtualService, gateway Service port; with ACCESS_MODE=declared the gateway's AuthorizationPolicy and its ServiceEntries exported to the declaring namespaces), and its ServiceEntries, served by the waypoint, carry `istio.io/ingress-use-waypoint: \"true\"`, so the egress gateway passes a sidecar pod's connection on to the waypoint; the waypoint's policy admits the declared callers and the gateway (EGRESS_GATEWAY_PRINCIPAL). Pods on sidecars go sidecar → gateway → waypoint, ambient pods ztunnel → waypoint. For every cluster in `ambient` mode that does not set `gatewayBridge` in SYNC_CLUSTERS; an error where no cluster is in `ambient` mode. Turn it off once no sidecar pod calls an instance: the gateway route then goes.",
  },
  {
    name: 'EGRESS_GATEWAY_PRINCIPAL',
    required: false,
    deployed: true,
    description:
      "With AMBIENT_GATEWAY_BRIDGE: the egress gateway's Istio principal, which the waypoint's policy admits beside the declared callers (the gateway's own policy has checked the sidecar pod's identity; the waypoint sees the gateway's). Unset: `<ACCESS_TRUST_DOMAIN>/ns/<EGRESS_GATEWAY_NAMESPACE>/sa/istio-egressgateway-service-account`, the service account of Istio's default install.",
  },
  {
    name: 'ISTIO_NAMESPACE',
    required: false,
    deployed: true,
    default: 'istio-system',
    description: 'Namespace the Istio objects are written to.',
  },
  {
    name: 'SERVICE_ENTRY_HOST_SUFFIX',
    required: false,
    deployed: true,
    default: 'memorystore.internal',
    description: 'DNS suffix of the stable host name given to each instance: `<instance>.<region>.<project>.<suffix>`.',
  },
  {
    name: 'SERVICE_ENTRY_EXPORT_TO',
    required: false,
    deployed: true,
    default: '*',
    description: 'Comma-separated `exportTo` of the ServiceEntries (`*`, `.`, or namespaces).',
  },
  {
    name: 'EGRESS_GATEWAY_NAMESPACE',
    required: false,
    deployed: true,
    default: 'istio-system',
    description: 'Namespace of the egress gateway Service.',
  },
  {
    name: 'EGRESS_GATEWAY_SERVICE',
    required: false,
    deployed: true,
    default: 'istio-egressgateway',
    description: 'Name of the egress gateway Service; its gateway ports are added to it.',
  },
  {
    name: 'EGRESS_GATEWAY_SELECTOR',
    required: false,
    deployed: true,
    default: 'istio=egressgateway',
    description: 'Pod labels of the egress gateway, `key=value[,key=value]`, used as the Gateway selector.',
  },
  {
    name: 'GATEWAY_PORT_RANGE',
    required: false,
    deployed: true,
    default: '16000-16999',
    description: 'Inclusive range `from-to` from which each endpoint gets its own egress gateway port.',
  },
  {
    name: 'GATEWAY_PORTS_PER_SERVICE',
    required: false,
    deployed: true,
    default: '100',
    description:
      'Gateway ports per Service, 1 to 2000: the range is cut into blocks of this many, the first on the egress gateway Service, each later block on a Service of the deployment’s own, `<EGRESS_GATEWAY_SERVICE>-ports-<its first port>`, selecting the same pods (one Service write is refused past about 5,000 ports).',
  },
  {
    name: 'OWNER_ID',
    required: false,
    deployed: true,
    default: 'default',
    description:
      "Identity of this deployment, written on every object it owns; two deployments never touch each other's objects.",
  },
  {
    name: 'MAX_PRUNE_FRACTION',
    required: false,
    deployed: true,
    default: '0.5',
    description: 'A resync that would delete more than this share of managed instances is refused unless forced.',
  },
  {
    name: 'EVENT_MAX_AGE_SECONDS',
    required: false,
    deployed: true,
    default: '3600',
    description:
      'Events older than this are dropped (the scheduled resync repairs what they missed), which bounds retries.',
  },
  {
    name: 'CLUSTER_DEADLINE_SECONDS',
    required: false,
    deployed: true,
    default: '30',
    description:
      "A cluster's share of one event: past it, that cluster's requests are aborted and its part is retried on its own (see EVENT_TOPIC), while the other clusters' changes stand. Keep it under the event function's timeout: clusters are worked on 4 at once.",
  },
  {
    name: 'KUBE_WRITES_IN_FLIGHT',
    required: false,
    deployed: true,
    default: '64',
    description:
      "Writes to a cluster's apiserver in flight at once (1-256). The functions' Google identity falls in API Priority and Fairness's `global-default` level, which has 49 seats on an apiserver of the default size and queues 300 more of one user's requests: 64 keeps the apiserver busy and is never turned away. Raise it for a larger control plane.",
  },
  {
    name: 'EVENT_TOPIC',
    required: false,
    deployed: true,
    description:
      'The topic the events come from (`projects/P/topics/T`). With several clusters, an event that some cluster could not take (down, or past CLUSTER_DEADLINE_SECONDS) is acknowledged for the others and published here again naming only the clusters still to do, with its first id and time; unset, the whole event is redelivered.',
  },
  {
    name: 'PORT_QUARANTINE_SECONDS',
    required: false,
    deployed: true,
    default: '300',
    description:
      'A freed egress gateway port is held back this long before another instance may get it, so a sidecar that has not yet heard of a deletion cannot send its traffic to a new instance. `0` frees ports at once.',
  },
  {
    name: 'RESYNC_AUTH',
    required: false,
    deployed: true,
    default: 'verify',
    description:
      "How resync checks its caller: `cloud-run` (behind Cloud Run IAM, which verified the token and removed its signature: accept only such a token and check its claims) or `verify` (check the token's Google signature too). The default fails closed; Terraform sets `cloud-run`.",
  },
  {
    name: 'RESYNC_AUDIENCE',
    required: true,
    deployed: true,
    description:
      "Audience the identity token of a resync caller must carry: the URL the caller calls (the function's `run.app` URL), exactly.",
  },
  {
    name: 'RESYNC_ALLOWED_PRINCIPALS',
    required: true,
    deployed: true,
    description: 'Comma-separated emails allowed to call resync.',
  },
  {
    name: 'RESYNC_SCHEDULER_PRINCIPAL',
    required: false,
    deployed: true,
    description: 'Email of the Cloud Scheduler caller; its calls are recorded as scheduled (it must also be allowed).',
  },
  {
    name: 'ID_TOKEN_CERTS_URL',
    required: false,
    deployed: false,
    description: "URL of the PEM certificates that sign identity tokens (default: Google's). For tests only.",
  },
  {
    name: 'AUDIT_TOPIC',
    required: false,
    deployed: true,
    description: 'Pub/Sub topic (`projects/P/topics/T`) that receives one message per audit record; unset: log only.',
  },
  {
    name: 'AUDIT_REQUIRED',
    required: false,
    deployed: true,
    default: 'false',
    description:
      '`true`: an invocation fails when an audit record can be neither published nor kept in the audit outbox, so the event is retried.',
  },
  {
    name: 'ACCESS_MODE',
    required: false,
    deployed: true,
    default: 'open',
    description:
      '`open`: every namespace in SERVICE_ENTRY_EXPORT_TO may reach every synced instance (as before). `declared`: only the workloads a MemorystoreAccess declaration names may reach an instance (docs/least-access.md).',
  },
  {
    name: 'ACCESS_TRUST_DOMAIN',
    required: false,
    deployed: true,
    default: 'cluster.local',
    description:
      "The mesh's trust domain, the first part of the Istio principals declared service accounts become (`<domain>/ns/<namespace>/sa/<account>`).",
  },
];
