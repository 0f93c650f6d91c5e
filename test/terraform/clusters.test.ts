import { resolve } from 'node:path';
import { CLUSTERS_AT_ONCE } from '../../shared/clusters/each-cluster.js';
import { CONFIG_VARIABLES } from '../../shared/config/config-variables.js';
import { MAX_PORT_SERVICES } from '../../shared/config/gateway-services.js';
import {
  block,
  CLUSTER_RBAC_DIR,
  EXAMPLE_DIR,
  loadModule,
  TERRAFORM_DIR,
  type Block,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/**
 * One deployment, several GKE clusters: the functions get them all as SYNC_CLUSTERS, and modules/cluster-rbac installs
 * the RBAC and admission policy in each, the primary cluster's from the module itself and each further one's from a
 * call in the caller's configuration with that cluster's provider. CI's plan of examples/basic (two clusters) checks
 * the evaluated result; these check the wiring.
 */
let tf: TerraformModule;
let example: TerraformModule;
let clusterRbac: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  example = await loadModule(EXAMPLE_DIR);
  clusterRbac = await loadModule(CLUSTER_RBAC_DIR);
});

const SYNC_CLUSTERS = CONFIG_VARIABLES.find((v) => v.name === 'SYNC_CLUSTERS')!;
/** The regex literals of a variable's validation conditions, in order, as JavaScript patterns. */
const patterns = (variable: string): RegExp[] =>
  ((tf.variables[variable]!['validation'] as Block[]) ?? [])
    .flatMap((v) => [...String(v['condition']).matchAll(/regex\("((?:[^"\\]|\\.)+)"/g)])
    .map((m) => new RegExp(m[1]!.replaceAll('\\\\', '\\')));

describe('SYNC_CLUSTERS', () => {
  test('the functions get every cluster as SYNC_CLUSTERS, never a single GKE endpoint', () => {
    expect(SYNC_CLUSTERS.deployed).toBe(true);
    expect(
      CONFIG_VARIABLES.filter((v) =>
        ['GKE_CLUSTER_ENDPOINT', 'GKE_CLUSTER_CA_CERT', 'CLUSTER_NAME'].includes(v.name),
      ).map((v) => v.deployed),
    ).toEqual([false, false, false]);
    const environment = tf.locals['function_environment'] as Record<string, unknown>;
    expect(environment['SYNC_CLUSTERS']).toBe('${jsonencode(local.sync_clusters)}');
  });

  test("a cluster's part of an event is retried through the events topic: the sync function alone may publish there", () => {
    const environment = tf.locals['function_environment'] as Record<string, unknown>;
    expect(environment['EVENT_TOPIC']).toBe('${google_pubsub_topic.events.id}');
    expect(environment['CLUSTER_DEADLINE_SECONDS']).toBe('${tostring(var.cluster_deadline_seconds)}');
    const grants = Object.values(tf.resources['google_pubsub_topic_iam_member'] ?? {}).filter(
      (g) => g['topic'] === '${google_pubsub_topic.events.name}',
    );
    expect(grants.map((g) => [g['role'], g['member']])).toEqual([
      ['roles/pubsub.publisher', '${each.value}'], // the other projects' sinks (projects.tf)
      ['roles/pubsub.publisher', '${google_logging_project_sink.redis_admin.writer_identity}'],
      ['roles/pubsub.publisher', '${local.service_account_members["sync"]}'],
    ]);
  });

  test("the clusters' deadlines fit in the event function's timeout, 4 clusters at a time", () => {
    const sync = tf.resources['google_cloudfunctions2_function']!['sync']!;
    expect(block(block(sync, 'lifecycle'), 'precondition')['condition']).toBe(
      '${var.cluster_deadline_seconds * ceil(length(local.clusters) / 4) < var.sync_timeout_seconds}',
    );
    expect(CLUSTERS_AT_ONCE).toBe(4);
  });

  test('the plan refuses a range that needs more port Services than the functions accept, the same limit', () => {
    const sync = tf.resources['google_cloudfunctions2_function']!['sync']!;
    const preconditions = block(sync, 'lifecycle')['precondition'] as Block[];
    expect(preconditions.map((p) => p['condition'])).toEqual(
      expect.arrayContaining([
        `\${local.port_service_count <= ${MAX_PORT_SERVICES}}`,
        '${local.port_service_count == 0 || length(local.last_port_service) <= 63}',
      ]),
    );
  });

  test('lists the primary cluster first, then additional_clusters in their order', () => {
    const clusters = String(tf.locals['clusters']);
    expect(
      clusters.startsWith(
        '${concat(\n    [{\n      name            = var.gke_cluster_name\n      location        = var.gke_cluster_location\n      project         = var.project_id',
      ),
    ).toBe(true);
    expect(clusters).toContain('[for c in var.additional_clusters : {');
    expect(clusters).toContain('project         = coalesce(c.project, var.project_id)');
    expect(String(tf.locals['sync_clusters'])).toMatch(/^\$\{\[for c in local\.clusters : merge\(/);
  });

  test('each entry carries exactly the fields the configuration contract names, mode and istioNamespace only where a cluster sets them', () => {
    const entries = String(tf.locals['sync_clusters']);
    expect(entries).toContain(
      '{ name = c.name, endpoint = local.cluster_access[c.name].endpoint, caCert = local.cluster_access[c.name].ca_cert }',
    );
    expect(entries).toContain(
      '{ for key, value in { mode = c.sync_mode, istioNamespace = c.istio_namespace } : key => value if value != null }',
    );
    for (const field of ['name', 'endpoint', 'caCert', 'mode', 'istioNamespace'])
      expect([field, SYNC_CLUSTERS.description.includes(`"${field}"`)]).toEqual([field, true]);
  });

  test("each cluster's networks are its own GKE network unless the operator lists them, in the form the functions take", () => {
    const entries = String(tf.locals['sync_clusters']);
    expect(entries).toContain(
      '{ networks = coalesce(c.networks, [data.google_container_cluster.synced[c.name].network]) }',
    );
    expect(String(tf.locals['clusters'])).toContain('networks        = var.gke_cluster_networks');
    expect(String(tf.locals['clusters'])).toContain('networks        = c.networks');
    expect(SYNC_CLUSTERS.description).toContain('"networks"');
    const [full] = patterns('gke_cluster_networks');
    expect(['projects/host-1/global/networks/shared-vpc'].filter((n) => full!.test(n))).toHaveLength(1);
    expect(['default', 'projects/p/regions/r/subnetworks/s'].filter((n) => full!.test(n))).toEqual([]);
  });

  test('cluster names are GKE names, which are the DNS labels of at most 40 characters the contract takes', () => {
    const [primaryName] = patterns('gke_cluster_name');
    const [additionalName] = patterns('additional_clusters');
    for (const pattern of [primaryName!, additionalName!]) {
      expect(['mesh', 'prod-eu', 'a', `a${'b'.repeat(39)}`, 'mesh-2'].filter((n) => pattern.test(n))).toHaveLength(5);
      expect(
        ['Mesh', '-mesh', 'mesh-', `a${'b'.repeat(40)}`, 'mesh_eu', '2mesh', ''].filter((n) => pattern.test(n)),
      ).toEqual([]);
    }
    expect(SYNC_CLUSTERS.description).toContain('DNS labels');
  });

  test('no name twice: within additional_clusters by validation, against the primary cluster at plan', () => {
    expect(String(block(tf.variables['additional_clusters'], 'validation')['condition'])).toContain(
      'length(distinct([for c in var.additional_clusters : c.name])) == length(var.additional_clusters)',
    );
    // Grouped, so a clash reaches the precondition instead of failing as a duplicate map key.
    expect(tf.locals['clusters_by_name']).toBe('${{ for c in local.clusters : c.name => c... }}');
    const preconditions = block(tf.data['google_container_cluster']!['synced'], 'lifecycle')['precondition'] as Block[];
    expect(preconditions.map((p) => p['condition'])).toContain('${length(local.clusters_by_name[each.key]) == 1}');
    // The gateway bridge only with ambient mode, as the functions check it at start-up.
    expect(preconditions.map((p) => p['condition'])).toEqual(
      expect.arrayContaining([
        '${each.value.gateway_bridge != true || coalesce(each.value.sync_mode, var.sync_mode) == "ambient"}',
        expect.stringContaining('!var.ambient_gateway_bridge || anytrue('),
      ]),
    );
  });

  test('an additional cluster may choose its endpoint kind, sync mode and Istio namespace, from the values the single ones take', () => {
    const [, , , endpoint, mode, namespace] = patterns('additional_clusters');
    expect(['dns', 'private', 'public'].every((v) => endpoint!.test(v)) && !endpoint!.test('connect-gateway')).toBe(
      true,
    );
    expect(['egress-gateway', 'direct', 'ambient'].every((v) => mode!.test(v)) && !mode!.test('gateway')).toBe(true);
    expect(String(block(tf.variables['sync_mode'], 'validation')['condition'])).toContain(
      '["egress-gateway", "direct", "ambient"]',
    );
    expect(namespace!.source).toBe(patterns('istio_namespace')[0]!.source);
  });
});

describe('RBAC in every cluster', () => {
  test("the module installs the primary cluster's through the default kubernetes provider, and keeps what it installed before", () => {
    const call = tf.modules['primary_cluster_rbac']!;
    expect(call).toEqual({ source: './modules/cluster-rbac', settings: '${local.cluster_rbac[var.gke_cluster_name]}' });
    expect(tf.moved.filter((m) => String(m['from']).includes('kubernetes_manifest'))).toEqual([
      { from: '${kubernetes_manifest.rbac}', to: '${module.primary_cluster_rbac.kubernetes_manifest.rbac}' },
      {
        from: '${kubernetes_manifest.admission_policy}',
        to: '${module.primary_cluster_rbac.kubernetes_manifest.admission_policy}',
      },
    ]);
    expect(tf.resources['kubernetes_manifest']).toBeUndefined();
  });

  test('each cluster gets the same identities and egress gateway, in its own Istio namespace', () => {
    const settings = String(tf.locals['cluster_rbac']);
    expect(settings).toContain('for name, c in local.unique_clusters : name => {');
    expect(settings).toContain('istio_namespace           = coalesce(c.istio_namespace, var.istio_namespace)');
    // What the root module hands over is exactly what modules/cluster-rbac takes.
    const given = [...settings.matchAll(/^ {4}(\w+) +=/gm)].map((m) => m[1]).sort();
    const taken = [...String(clusterRbac.variables['settings']!['type']).matchAll(/^\s*(\w+)\s+=/gm)]
      .map((m) => m[1])
      .sort();
    expect(given).toEqual(taken);
    expect(given).toEqual([
      'ambient_waypoint',
      'egress_gateway_namespace',
      'egress_gateway_selector',
      'egress_gateway_service',
      'export_to',
      'gateway_port_range',
      'gateway_ports_per_service',
      'host_suffix',
      'identities',
      'istio_namespace',
      'manage_access_crd',
      'manage_admission_policy',
      'manage_rbac',
      'owner_id',
    ]);
    expect(tf.outputs['cluster_rbac']!['value']).toBe('${local.cluster_rbac}');
  });

  test('the example keeps a second cluster in step: in SYNC_CLUSTERS, and with the same module through its own provider', () => {
    expect(example.modules['memorystore_egress_sync']!['additional_clusters']).toEqual(['${var.second_cluster}']);
    const call = example.modules['second_cluster_rbac']!;
    expect(call).toEqual({
      source: '../../modules/cluster-rbac',
      providers: { kubernetes: '${kubernetes.second}' },
      settings: '${module.memorystore_egress_sync.cluster_rbac[var.second_cluster.name]}',
    });
    expect(resolve(EXAMPLE_DIR, String(call['source']))).toBe(
      resolve(TERRAFORM_DIR, String(tf.modules['primary_cluster_rbac']!['source'])),
    );
    expect(example.providers['kubernetes']!.map((p) => p['alias'] ?? 'default')).toEqual(['default', 'second']);
    // The example's second_cluster takes the same fields as an element of additional_clusters.
    const fields = (type: unknown): string[] => [...String(type).matchAll(/^\s*(\w+)\s+=/gm)].map((m) => m[1]!).sort();
    expect(fields(example.variables['second_cluster']!['type'])).toEqual(
      fields(tf.variables['additional_clusters']!['type']),
    );
  });
});
