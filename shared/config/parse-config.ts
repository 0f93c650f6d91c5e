import * as z from 'zod';
import { ConfigError } from '../errors.js';
import { CONFIG_VARIABLES } from './config-variables.js';
import { parseLabelSelector, type LabelRequirement } from '../model/label-selector.js';
import { PRODUCTS } from '../products/registry.js';
import { ACCESS_MODES } from '../model/access.js';
import { parseClusterEntries, clusterName, vpcNetwork, type ClusterEntry } from './clusters.js';
import { sameClusterProblems } from './same-cluster.js';
import { blockCount, blockServiceName, MAX_PORT_SERVICES } from './gateway-services.js';
import { SYNC_MODES } from './settings.js';
import type {
  ClusterTarget,
  KubeAccess,
  MeshSettings,
  ProcessSettings,
  RenderCommandSettings,
  ResyncAuth,
  Settings,
} from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The environment being read, with the problems found so far: every variable is read before any is reported. */
class Reading {
  readonly problems: ConfigError['problems'][number][] = [];
  constructor(readonly values: Env) {}

  problem(variable: string, expected: string, got: string | undefined): void {
    this.problems.push(...ConfigError.of(variable, expected, got).problems);
  }

  /** A problem told in words of its own (when quoting the value would not help, as with a JSON list). */
  problemSaying(variable: string, message: string): void {
    this.problems.push({ variable, message: `${variable}: ${message}` });
  }

  /** The value read, or a ConfigError naming every bad variable. */
  result<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return value;
  }
}

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const dnsName = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
  .max(200);
const labelKey = z.string().regex(/^([a-z0-9.-]{1,253}\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/);
const projectId = z.string().regex(/^[a-z][-a-z0-9:.]{4,61}[a-z0-9]$/);
const email = z.string().regex(/^[^@\s,]+@[^@\s,]+$/);
const port = z.coerce.number().int().min(1).max(65535);
const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/**
 * The most gateway ports one Service holds: one write of a Service with about 5,000 of our ports is refused (the
 * admission policy's CEL cost budget), and each write costs the apiserver in proportion to its ports.
 */
const MAX_PORTS_PER_SERVICE = 2000;

/** Each block's Service name is `<EGRESS_GATEWAY_SERVICE>-ports-<first port>`, a DNS label: at most 63 characters. */
function checkPortServiceNames(env: Reading, mesh: MeshSettings): void {
  // Counted, not listed: a misconfigured range may mean tens of thousands of names.
  const own = blockCount(mesh) - 1;
  if (own > MAX_PORT_SERVICES)
    env.problemSaying(
      'GATEWAY_PORTS_PER_SERVICE',
      `GATEWAY_PORT_RANGE would be cut into ${own + 1} blocks, ${own} Services of this deployment's own, more than the ${MAX_PORT_SERVICES} its RBAC and admission policy can name: raise it or narrow GATEWAY_PORT_RANGE`,
    );
  const last = own > 0 ? blockServiceName(mesh, own) : undefined;
  if (last !== undefined && last.length > 63)
    env.problemSaying(
      'GATEWAY_PORTS_PER_SERVICE',
      `the range's last block would be on Service ${last}, longer than 63 characters: raise it, narrow GATEWAY_PORT_RANGE or shorten EGRESS_GATEWAY_SERVICE`,
    );
}

/** Reads one variable through a schema; the default comes from CONFIG_VARIABLES so the docs cannot drift. */

/**
 * The bound of KUBE_WRITES_IN_FLIGHT, whose default is 64. The functions run as a Google service account: on GKE a
 * user `NAME@PROJECT.iam.gserviceaccount.com` in the group `system:authenticated`, not a Kubernetes ServiceAccount, so
 * API Priority and Fairness puts its requests in the FlowSchema `global-default` and the priority level of that name
 * (the apiserver's answers say so in X-Kubernetes-PF-PriorityLevel-UID; scripts/bench/ceiling-probe.ts prints it).
 * That level has nominalConcurrencyShares 20 of the 245 the built-in levels share, so of the 600 seats of an apiserver
 * with the default --max-requests-inflight 400 and --max-mutating-requests-inflight 200 it gets ceil(600 * 20 / 245) =
 * 49, more when it borrows from idle levels; one user is one flow (distinguisher ByUser), dealt handSize 6 queues of
 * queueLengthLimit 50, so 300 of its requests wait before the 301st is refused with 429
 * (https://kubernetes.io/docs/concepts/cluster-administration/flow-control/, the bootstrap configuration of
 * kube-apiserver 1.36 as it answers). 64 in flight fills the 49 seats with some waiting, so the apiserver never idles
 * for a round trip, and stays far from the 349 that are refused. A write of an object few watch takes one seat. GKE
 * sizes its control plane, hence the seats, with the cluster and does not publish the flags: a larger control plane
 * may take more. The bound keeps even a large setting under the 349 of the default size.
 */
const MOST_WRITES_IN_FLIGHT = 256;

function read<T>(env: Reading, name: string, schema: z.ZodType<T>, expected: string): T {
  const variable = CONFIG_VARIABLES.find((v) => v.name === name);
  if (!variable) throw new Error(`internal: ${name} is not in CONFIG_VARIABLES`);
  const given = env.values[name];
  const result = schema.safeParse(given === undefined || given === '' ? variable.default : given);
  if (result.success) return result.data;
  env.problem(name, expected, given);
  // Never used: the reading ends in a ConfigError. Reading on finds the other bad variables.
  return undefined as T;
}

function optional<T>(env: Reading, name: string, schema: z.ZodType<T>, expected: string): T | undefined {
  return env.values[name] === undefined || env.values[name] === '' ? undefined : read(env, name, schema, expected);
}

const topicName = z.string().regex(/^projects\/[^/]+\/topics\/[^/]+$/);

const bool = z.enum(['true', 'false']).transform((s) => s === 'true');

/** An https URL with no query, fragment, credentials or whitespace (as Cloud Run service URLs and apiservers are). */
function plainHttpsUrl(value: string): URL | undefined {
  if (/[\s?#]/.test(value) || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' && !url.username && !url.password ? url : undefined;
}

const httpsUrl = z.string().refine((value) => plainHttpsUrl(value) !== undefined);

function parseHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^([^:\s]+):(\d+)$/.exec(value);
  const parsedPort = port.safeParse(match?.[2]);
  return match?.[1] && parsedPort.success ? { host: match[1], port: parsedPort.data } : undefined;
}

function parseSelector(value: string): Record<string, string> | undefined {
  const pairs = list(value).map((pair) => pair.split('='));
  const valid =
    pairs.length > 0 &&
    pairs.every((p) => p.length === 2 && labelKey.safeParse(p[0]).success && labelValue.safeParse(p[1]).success);
  return valid ? Object.fromEntries(pairs.map(([key, label]) => [key ?? '', label ?? ''])) : undefined;
}

function parseRange(value: string): { from: number; to: number } | undefined {
  const match = /^(\d+)-(\d+)$/.exec(value);
  const from = port.safeParse(match?.[1]);
  const to = port.safeParse(match?.[2]);
  return from.success && to.success && from.data <= to.data ? { from: from.data, to: to.data } : undefined;
}

/**
 * The apiserver URL of GKE_CLUSTER_ENDPOINT: a bare host (IP or DNS name) is served over https at its root; a full
 * https URL is taken as a kubeconfig `server`, path included, as the Connect gateway's
 * (https://connectgateway.googleapis.com/v1/projects/NUMBER/locations/LOCATION/gkeMemberships/MEMBERSHIP). No
 * credentials, query or fragment: the token is added per request, and every API path is appended to this one.
 */
function parseClusterServer(value: string): string | undefined {
  if (/^[A-Za-z0-9.:[\]-]+$/.test(value)) return `https://${value}`;
  const url = plainHttpsUrl(value);
  return url ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : undefined;
}

function parseKubeAccess(env: Reading): KubeAccess | undefined {
  const server = optional(
    env,
    'GKE_CLUSTER_ENDPOINT',
    z.string().transform(parseClusterServer).pipe(z.string()),
    'a GKE endpoint host (IP or DNS name) or an https:// server URL',
  );
  const kubeconfig = optional(env, 'KUBECONFIG', z.string().min(1), 'a kubeconfig path');
  if (server) {
    const ca = optional(
      env,
      'GKE_CLUSTER_CA_CERT',
      z.string().regex(/^[A-Za-z0-9+/=\s]+$/),
      'base64 of the cluster CA PEM',
    );
    return { kind: 'gke', server, ...(ca ? { caCertBase64: ca } : {}) };
  }
  if (kubeconfig) {
    const context = optional(env, 'KUBE_CONTEXT', z.string().min(1), 'a context name');
    return { kind: 'kubeconfig', path: kubeconfig, ...(context ? { context } : {}) };
  }
  const alreadyBad = env.problems.some((p) => p.variable === 'GKE_CLUSTER_ENDPOINT' || p.variable === 'KUBECONFIG');
  if (!alreadyBad)
    env.problem('GKE_CLUSTER_ENDPOINT', 'a GKE endpoint (or KUBECONFIG for a kubeconfig file)', undefined);
  return undefined;
}

const CLUSTERS_EXPECTED =
  'expected a JSON array of clusters, each `{"name", "endpoint" (+ "caCert") or "kubeconfig" (+ "context"), optional "mode", "gatewayBridge", "istioNamespace", "networks" and "gke"}`';

/** A cluster as configured; mode and namespace fall back to SYNC_MODE and ISTIO_NAMESPACE where it names none. */
type ClusterSetting = Pick<ClusterTarget, 'name' | 'kube'> &
  Partial<Pick<ClusterTarget, 'mode' | 'istioNamespace' | 'gke' | 'networks'>> & { readonly gatewayBridge?: boolean };

/** What a SYNC_CLUSTERS entry says of its cluster's mesh, where it says anything. */
const entryMesh = (entry: ClusterEntry): Omit<ClusterSetting, 'name' | 'kube'> => ({
  ...(entry.mode ? { mode: entry.mode } : {}),
  ...(entry.gatewayBridge !== undefined ? { gatewayBridge: entry.gatewayBridge } : {}),
  ...(entry.istioNamespace ? { istioNamespace: entry.istioNamespace } : {}),
  ...(entry.gke ? { gke: entry.gke } : {}),
  ...(entry.networks ? { networks: [...new Set(entry.networks)] } : {}),
});

/** One SYNC_CLUSTERS entry; its endpoint is read like GKE_CLUSTER_ENDPOINT. */
function settingOf(env: Reading, entry: ClusterEntry, index: number): ClusterSetting | undefined {
  const settings = entryMesh(entry);
  if (entry.kubeconfig !== undefined) {
    return {
      name: entry.name,
      kube: {
        kind: 'kubeconfig',
        path: entry.kubeconfig,
        ...(entry.context ? { context: entry.context } : {}),
        setting: `SYNC_CLUSTERS[${index}]`,
      },
      ...settings,
    };
  }
  const server = parseClusterServer(entry.endpoint ?? '');
  if (server)
    return {
      name: entry.name,
      kube: { kind: 'gke', server, ...(entry.caCert ? { caCertBase64: entry.caCert } : {}) },
      ...settings,
    };
  env.problemSaying(
    'SYNC_CLUSTERS',
    `${CLUSTERS_EXPECTED}: [${index}].endpoint: expected a GKE endpoint host (IP or DNS name) or an https:// server URL`,
  );
  return undefined;
}

/**
 * The clusters: SYNC_CLUSTERS when set, else the one of GKE_CLUSTER_ENDPOINT or KUBECONFIG, named CLUSTER_NAME. Both
 * ways at once would leave it unclear which cluster is meant, so an endpoint beside SYNC_CLUSTERS is refused;
 * KUBECONFIG is often set in an operator's shell for other tools, so beside SYNC_CLUSTERS it is ignored.
 */
function parseClusters(env: Reading): ClusterSetting[] {
  const text = env.values['SYNC_CLUSTERS'];
  if (text === undefined || text.trim() === '') {
    const kube = parseKubeAccess(env);
    const name = read(env, 'CLUSTER_NAME', clusterName, 'a DNS label of at most 40 characters');
    return kube ? [{ name, kube }] : [];
  }
  if (env.values['GKE_CLUSTER_ENDPOINT'])
    env.problemSaying(
      'GKE_CLUSTER_ENDPOINT',
      'expected nothing when SYNC_CLUSTERS is set (each cluster there names its endpoint)',
    );
  const parsed = parseClusterEntries(text);
  if (!parsed.ok) {
    env.problemSaying('SYNC_CLUSTERS', `${CLUSTERS_EXPECTED}: ${parsed.problems}`);
    return [];
  }
  const settings = parsed.entries
    .map((entry, index) => settingOf(env, entry, index))
    .filter((t): t is ClusterSetting => t !== undefined);
  for (const problem of sameClusterProblems(settings)) env.problemSaying('SYNC_CLUSTERS', problem);
  return settings;
}

/**
 * ACCESS_MODE=declared in egress-gateway mode (and ambient mode's gateway bridge) writes an AuthorizationPolicy beside
 * the instance's other objects, and a policy with a selector applies only to workloads of its own namespace (or of
 * every namespace from Istio's root namespace, which the functions cannot read): the objects must live in the egress
 * gateway's namespace, or the policy would guard nothing and every caller would pass.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/ (`selector`)
 */
function declaredAccessFits(settings: Settings): Settings {
  if (settings.process.access.mode !== 'declared') return settings;
  const apart = settings.clusters.filter(
    (c) => (c.mode === 'egress-gateway' || c.gatewayBridge) && c.istioNamespace !== c.egressGateway.namespace,
  );
  if (apart.length === 0) return settings;
  const where = apart.map((c) => `${c.name}: ${c.istioNamespace}`).join(', ');
  throw new ConfigError([
    {
      variable: 'ISTIO_NAMESPACE',
      message:
        'ISTIO_NAMESPACE: ACCESS_MODE=declared in egress-gateway mode (or ambient mode with the gateway bridge) needs the objects in EGRESS_GATEWAY_NAMESPACE ' +
        `(${apart[0]!.egressGateway.namespace}), where the AuthorizationPolicy applies to the gateway; got ${where}`,
    },
  ]);
}

/**
 * The projects synced: MEMORYSTORE_PROJECTS, or every project under MEMORYSTORE_SCOPE (a folder or organization;
 * `projects` is then the deployment's own alone), or MEMORYSTORE_PROJECT alone.
 */
function readProjects(env: Reading, project: string): Pick<ProcessSettings, 'projects' | 'scope'> {
  const projects = optional(
    env,
    'MEMORYSTORE_PROJECTS',
    z
      .string()
      .transform((text) => text.split(',').map((p) => p.trim()))
      .pipe(z.array(projectId).min(1))
      .transform((p) => [...new Set(p)]),
    'comma-separated Google Cloud project ids',
  );
  const scope = optional(
    env,
    'MEMORYSTORE_SCOPE',
    z.string().regex(/^(folders|organizations)\/[0-9]+$/),
    '`folders/NUMBER` or `organizations/NUMBER`',
  );
  if (scope && projects)
    env.problemSaying(
      'MEMORYSTORE_SCOPE',
      'expected nothing when MEMORYSTORE_PROJECTS is set (a folder or organization scope syncs every project in it)',
    );
  return { projects: projects ?? [project], ...(scope ? { scope } : {}) };
}

/** What every variable but the clusters' access gives; `readClusters` reads that in its place in the reading. */
function readSettings(
  env: Reading,
  readClusters: (env: Reading) => ClusterSetting[],
): { process: ProcessSettings; mesh: MeshSettings; clusters: ClusterSetting[]; bridge: Bridge } {
  const project = read(env, 'MEMORYSTORE_PROJECT', projectId, 'a Google Cloud project id');
  const projects = readProjects(env, project);
  const endpoint = optional(
    env,
    'MEMORYSTORE_API_ENDPOINT',
    z
      .string()
      .transform(parseHostPort)
      .pipe(z.object({ host: z.string(), port: z.number() })),
    '`host:port`',
  );
  const plaintext = read(env, 'MEMORYSTORE_API_PLAINTEXT', bool, '`true` or `false`');
  const auditTopic = optional(env, 'AUDIT_TOPIC', topicName, '`projects/PROJECT/topics/TOPIC`');
  const eventTopic = optional(env, 'EVENT_TOPIC', topicName, '`projects/PROJECT/topics/TOPIC`');
  const clusters = readClusters(env);
  const mode = read(env, 'SYNC_MODE', z.enum(SYNC_MODES), '`egress-gateway`, `direct` or `ambient`');
  const istioNamespace = read(env, 'ISTIO_NAMESPACE', dnsLabel, 'a namespace name');
  const instanceSelector =
    optional(
      env,
      'INSTANCE_LABEL_SELECTOR',
      z
        .string()
        .transform((text) => parseLabelSelector(text))
        .pipe(z.array(z.custom<LabelRequirement>())),
      '`key=value`, `key!=value`, `key` or `!key`, comma-separated (Memorystore label keys and values)',
    ) ?? [];
  const products = read(
    env,
    'MEMORYSTORE_PRODUCTS',
    z
      .string()
      .transform(list)
      .pipe(z.array(z.enum(PRODUCTS)).min(1))
      .transform((p) => [...new Set(p)]),
    `comma-separated products of ${PRODUCTS.join(', ')}`,
  );
  const locations = read(
    env,
    'MEMORYSTORE_LOCATIONS',
    z
      .string()
      .transform(list)
      .pipe(z.array(z.union([z.literal('-'), dnsLabel])).min(1)),
    '`-` or comma-separated regions',
  );
  const networks = optional(
    env,
    'CLUSTER_NETWORKS',
    z
      .string()
      .transform(list)
      .pipe(z.array(vpcNetwork).min(1))
      .transform((n) => [...new Set(n)]),
    'comma-separated VPC networks, each `projects/P/global/networks/N`',
  );
  const mesh: MeshSettings = {
    mode,
    istioNamespace,
    shardedNodePorts: read(env, 'SHARDED_NODE_PORTS', bool, '`true` or `false`'),
    ambientWaypoint: read(env, 'AMBIENT_WAYPOINT', dnsLabel, "a waypoint's name (its Gateway's, a DNS label)"),
    hostSuffix: read(env, 'SERVICE_ENTRY_HOST_SUFFIX', dnsName, 'a DNS suffix'),
    exportTo: read(
      env,
      'SERVICE_ENTRY_EXPORT_TO',
      z
        .string()
        .transform(list)
        .pipe(z.array(z.union([z.literal('*'), z.literal('.'), dnsLabel])).min(1)),
      '`*`, `.` or namespaces, comma-separated',
    ),
    egressGateway: {
      namespace: read(env, 'EGRESS_GATEWAY_NAMESPACE', dnsLabel, 'a namespace name'),
      service: read(env, 'EGRESS_GATEWAY_SERVICE', dnsLabel, 'a Service name'),
      selector: read(
        env,
        'EGRESS_GATEWAY_SELECTOR',
        z.string().transform(parseSelector).pipe(z.record(z.string(), z.string())),
        '`key=value[,key=value]`',
      ),
      portsPerService: read(
        env,
        'GATEWAY_PORTS_PER_SERVICE',
        z.coerce.number().int().min(1).max(MAX_PORTS_PER_SERVICE),
        `a whole number from 1 to ${MAX_PORTS_PER_SERVICE}`,
      ),
    },
    gatewayPortRange: read(
      env,
      'GATEWAY_PORT_RANGE',
      z
        .string()
        .transform(parseRange)
        .pipe(z.object({ from: z.number(), to: z.number() })),
      '`from-to` with 1 <= from <= to <= 65535',
    ),
    ...(networks ? { networks } : {}),
  };
  const bridge = readBridge(env, mesh, clusters);
  const { service, portsPerService } = mesh.egressGateway;
  if (mesh.gatewayPortRange !== undefined && service !== undefined && portsPerService !== undefined)
    checkPortServiceNames(env, mesh);
  const processWide: ProcessSettings = {
    project,
    ...projects,
    instanceSelector,
    products,
    locations,
    ...(endpoint ? { memorystoreEndpoint: { ...endpoint, plaintext } } : {}),
    ownerId: read(env, 'OWNER_ID', labelValue.min(1), 'a label value (letters, digits, `-_.`, at most 63)'),
    maxPruneFraction: read(env, 'MAX_PRUNE_FRACTION', z.coerce.number().min(0).max(1), 'a number from 0 to 1'),
    eventMaxAgeSeconds: read(
      env,
      'EVENT_MAX_AGE_SECONDS',
      z.coerce.number().int().positive(),
      'a positive whole number of seconds',
    ),
    portQuarantineSeconds: read(
      env,
      'PORT_QUARANTINE_SECONDS',
      z.coerce.number().int().min(0).max(86400),
      'a whole number of seconds from 0 to 86400',
    ),
    clusterDeadlineSeconds: read(
      env,
      'CLUSTER_DEADLINE_SECONDS',
      z.coerce.number().int().min(1).max(3600),
      'a whole number of seconds from 1 to 3600',
    ),
    writesInFlight: read(
      env,
      'KUBE_WRITES_IN_FLIGHT',
      z.coerce.number().int().min(1).max(MOST_WRITES_IN_FLIGHT),
      `a whole number from 1 to ${MOST_WRITES_IN_FLIGHT}`,
    ),
    ...(eventTopic ? { eventTopic } : {}),
    audit: {
      ...(auditTopic ? { topic: auditTopic } : {}),
      required: read(env, 'AUDIT_REQUIRED', bool, '`true` or `false`'),
    },
    access: {
      mode: read(env, 'ACCESS_MODE', z.enum(ACCESS_MODES), '`open` or `declared`'),
      trustDomain: read(env, 'ACCESS_TRUST_DOMAIN', dnsName, 'a trust domain (a DNS name)'),
    },
  };
  return { process: processWide, mesh, clusters, bridge: { ...bridge, trustDomain: processWide.access.trustDomain } };
}

/** AMBIENT_GATEWAY_BRIDGE as read, for `meshOf` to give each cluster in ambient mode that does not say otherwise. */
interface Bridge {
  readonly on: boolean;
  readonly principal?: string;
  readonly trustDomain: string;
}

/** An Istio principal as AuthorizationPolicies name one: `<trust domain>/ns/<namespace>/sa/<service account>`. */
const istioPrincipal = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/ns\/[a-z0-9][-a-z0-9]*\/sa\/[a-z0-9][-a-z0-9.]*$/);

/**
 * The bridge is ambient mode's: it keeps the egress gateway's route for sidecar pods and sends it on to the waypoint.
 * Asked for where no cluster is in ambient mode, it would do nothing, which is a mistake worth naming.
 */
function readBridge(
  env: Reading,
  mesh: MeshSettings,
  clusters: readonly ClusterSetting[],
): Omit<Bridge, 'trustDomain'> {
  const on = read(env, 'AMBIENT_GATEWAY_BRIDGE', bool, '`true` or `false`');
  const principal = optional(
    env,
    'EGRESS_GATEWAY_PRINCIPAL',
    istioPrincipal,
    "the egress gateway's Istio principal, `<trust domain>/ns/<namespace>/sa/<service account>`",
  );
  const ambient = (c: ClusterSetting) => (c.mode ?? mesh.mode) === 'ambient';
  if (on && mesh.mode !== 'ambient' && !clusters.some(ambient))
    env.problemSaying(
      'AMBIENT_GATEWAY_BRIDGE',
      `expected \`false\` unless SYNC_MODE (or a SYNC_CLUSTERS entry's mode) is \`ambient\`: the bridge keeps the egress gateway's route beside the waypoint; got \`true\` with SYNC_MODE=${mesh.mode}`,
    );
  for (const cluster of clusters.filter((c) => c.gatewayBridge && !ambient(c)))
    env.problemSaying(
      'SYNC_CLUSTERS',
      `cluster ${cluster.name}: \`gatewayBridge: true\` goes with mode \`ambient\`, not ${cluster.mode ?? mesh.mode}`,
    );
  return { on, ...(principal ? { principal } : {}) };
}

/**
 * A cluster's mesh: the deployment's, with the mode, namespace and networks its SYNC_CLUSTERS entry names, if any; in
 * ambient mode with the bridge its entry asks for, or else AMBIENT_GATEWAY_BRIDGE.
 */
function meshOf(mesh: MeshSettings, setting: ClusterSetting | undefined, bridge: Bridge): MeshSettings {
  return {
    ...mesh,
    ...bridgeOf(mesh, setting, bridge),
    ...(setting?.mode ? { mode: setting.mode } : {}),
    ...(setting?.istioNamespace ? { istioNamespace: setting.istioNamespace } : {}),
    ...(setting?.networks ? { networks: setting.networks } : {}),
  };
}

/** The cluster's gateway bridge, in ambient mode: its entry's `gatewayBridge`, or else AMBIENT_GATEWAY_BRIDGE. */
function bridgeOf(mesh: MeshSettings, setting: ClusterSetting | undefined, bridge: Bridge): Partial<MeshSettings> {
  const bridged = (setting?.mode ?? mesh.mode) === 'ambient' && (setting?.gatewayBridge ?? bridge.on);
  if (!bridged) return {};
  // Istio's default install runs the egress gateway as istio-egressgateway-service-account.
  const gatewayPrincipal =
    bridge.principal ??
    `${bridge.trustDomain}/ns/${mesh.egressGateway.namespace}/sa/istio-egressgateway-service-account`;
  return { gatewayBridge: { gatewayPrincipal } };
}

/** Parses and validates the whole configuration; throws a ConfigError naming every bad variable. */
export function parseSettings(values: Env): Settings {
  const env = new Reading(values);
  const found = readSettings(env, parseClusters);
  const [first, ...rest] = found.clusters.map((c): ClusterTarget => ({
    name: c.name,
    kube: c.kube,
    ...(c.gke ? { gke: c.gke } : {}),
    ...meshOf(found.mesh, c, found.bridge),
  }));
  // No cluster read is a problem already recorded (parseClusters names it).
  if (!first) throw new ConfigError(env.problems);
  return declaredAccessFits(env.result({ process: found.process, clusters: [first, ...rest] }));
}

/**
 * What `render` reads. It reaches no cluster, so a cluster's access is read only where one is given (a bad value is
 * still named); with SYNC_CLUSTERS, objects are laid out as in its first cluster, as a sync of it would lay them out.
 */
export function parseRenderSettings(values: Env): RenderCommandSettings {
  const env = new Reading(values);
  const given = ['SYNC_CLUSTERS', 'GKE_CLUSTER_ENDPOINT', 'KUBECONFIG'].some((name) => values[name]?.trim());
  const found = readSettings(env, given ? parseClusters : () => []);
  return env.result({ process: found.process, cluster: meshOf(found.mesh, found.clusters[0], found.bridge) });
}

/** Parses who may call `resync`; the functions require it at start-up like the rest of the configuration. */
export function parseResyncAuth(values: Env): ResyncAuth {
  const env = new Reading(values);
  const certsUrl = optional(env, 'ID_TOKEN_CERTS_URL', z.url(), 'a URL');
  const schedulerPrincipal = optional(env, 'RESYNC_SCHEDULER_PRINCIPAL', email, 'an email');
  return env.result({
    mode: read(env, 'RESYNC_AUTH', z.enum(['cloud-run', 'verify']), '`cloud-run` or `verify`'),
    audience: read(
      env,
      'RESYNC_AUDIENCE',
      httpsUrl,
      "the https URL callers call (the function's `run.app` URL), the audience of their identity tokens",
    ),
    allowedPrincipals: read(
      env,
      'RESYNC_ALLOWED_PRINCIPALS',
      z.string().transform(list).pipe(z.array(email).min(1)),
      'comma-separated emails',
    ),
    ...(schedulerPrincipal ? { schedulerPrincipal } : {}),
    ...(certsUrl ? { certsUrl } : {}),
  });
}
