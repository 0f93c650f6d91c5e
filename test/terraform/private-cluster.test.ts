import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE_ENV } from '../../dev/fixtures/settings.js';
import { parseSettings } from '../../shared/config/parse-config.js';
import {
  block,
  EXAMPLE_DIR,
  loadModule,
  resourcesOf,
  TERRAFORM_DIR,
  type Block,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/**
 * Reaching a private cluster: the DNS-based control-plane endpoint (recommended: IAM from anywhere, no VPC), or the
 * private IP through VPC egress, for each synced cluster. `tofu plan` in CI runs the postconditions against stand-in
 * clusters; these check the wiring and that what Terraform hands the functions is what their configuration parser
 * accepts. (Since several clusters the data source is read once per cluster and its checks hold per cluster: they
 * read the cluster's own endpoint kind, `each.value.endpoint`, where they read var.gke_endpoint before.)
 */
let tf: TerraformModule;
let example: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  example = await loadModule(EXAMPLE_DIR);
});

const STAND_INS = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../dev/components/terraform/schema-provider/data-sources.json', import.meta.url)),
    'utf8',
  ),
);
const STAND_IN_CLUSTER = STAND_INS['google_container_cluster'];
const cluster = (): Block => tf.data['google_container_cluster']!['synced']!;
const conditions = (kind: 'postcondition' | 'precondition'): Block[] => block(cluster(), 'lifecycle')[kind] as Block[];

describe('DNS-based endpoint', () => {
  test('is the default, among dns, private and public', () => {
    const variable = tf.variables['gke_endpoint']!;
    expect(variable['default']).toBe('dns');
    expect(String(block(variable, 'validation')['condition'])).toContain(
      'contains(["dns", "private", "public"], var.gke_endpoint)',
    );
  });

  test('is read from control_plane_endpoints_config and passed without a CA (publicly trusted certificate), per cluster', () => {
    expect(cluster()['for_each']).toBe('${local.unique_clusters}');
    expect(String(tf.locals['cluster_hosts'])).toContain(
      'for name, cluster in data.google_container_cluster.synced : name => {',
    );
    expect(String(tf.locals['cluster_hosts'])).toContain(
      'dns     = try(cluster.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, "")',
    );
    expect(String(tf.locals['cluster_hosts'])).toContain(
      'private = try(cluster.private_cluster_config[0].private_endpoint, "")',
    );
    expect(String(tf.locals['cluster_hosts'])).toContain('public  = cluster.endpoint');
    expect(String(tf.locals['cluster_access'])).toContain('endpoint = local.cluster_hosts[name][c.endpoint]');
    expect(String(tf.locals['cluster_access'])).toContain(
      'ca_cert  = c.endpoint == "dns" ? "" : data.google_container_cluster.synced[name].master_auth[0].cluster_ca_certificate',
    );
    // The primary cluster's kind is gke_endpoint; an additional cluster's is its own, gke_endpoint by default.
    expect(String(tf.locals['clusters'])).toContain('endpoint        = var.gke_endpoint');
    expect(String(tf.locals['clusters'])).toContain('endpoint        = coalesce(c.endpoint, var.gke_endpoint)');
  });

  test("the plan stops, saying what to do, when a cluster's endpoint does not allow external traffic", () => {
    const check = conditions('postcondition').find((c) => String(c['condition']).includes('allow_external_traffic'));
    expect(check?.['condition']).toBe(
      '${each.value.endpoint != "dns" || try(self.control_plane_endpoints_config[0].dns_endpoint_config[0].allow_external_traffic, false)}',
    );
    expect(String(check?.['error_message'])).toContain('--enable-dns-access');
    expect(String(check?.['error_message'])).toContain('Cluster ${each.key}');
  });

  // A SYNC_CLUSTERS entry's endpoint and caCert are what GKE_CLUSTER_ENDPOINT and GKE_CLUSTER_CA_CERT take (the
  // configuration contract), so the parser's reading of those is the reading of each entry.
  test.each(['google_container_cluster', 'google_container_cluster[name=mesh-west]'])(
    'what the functions get for a DNS endpoint (%s) is accepted by their configuration parser, with system trust',
    (standIn) => {
      const dns = STAND_INS[standIn].control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint as string;
      expect(dns).toMatch(/\.gke\.goog$/);
      const settings = parseSettings({
        ...BASE_ENV,
        KUBECONFIG: '',
        GKE_CLUSTER_ENDPOINT: dns,
        GKE_CLUSTER_CA_CERT: '',
      });
      expect(settings.clusters[0].kube).toEqual({ kind: 'gke', server: `https://${dns}` });
    },
  );

  test('the example installs the RBAC in each cluster over the same endpoint the functions use', () => {
    const [primary, second] = example.providers['kubernetes']!;
    expect(primary).toMatchObject({
      host: '${module.memorystore_egress_sync.cluster_endpoints[var.gke_cluster_name].host}',
      cluster_ca_certificate:
        '${module.memorystore_egress_sync.cluster_endpoints[var.gke_cluster_name].cluster_ca_certificate}',
    });
    expect(second).toMatchObject({
      alias: 'second',
      host: '${module.memorystore_egress_sync.cluster_endpoints[var.second_cluster.name].host}',
      cluster_ca_certificate:
        '${module.memorystore_egress_sync.cluster_endpoints[var.second_cluster.name].cluster_ca_certificate}',
    });
    // The module's cluster_endpoints reads the same per-cluster access as SYNC_CLUSTERS: no CA for a DNS endpoint.
    const endpoints = String(tf.outputs['cluster_endpoints']!['value']);
    expect(endpoints).toContain('for name, access in local.cluster_access : name => {');
    expect(endpoints).toContain('host                   = "https://${access.endpoint}"');
    expect(endpoints).toContain('cluster_ca_certificate = access.ca_cert == "" ? null : base64decode(access.ca_cert)');
    expect(String(tf.locals['sync_clusters'])).toContain(
      'endpoint = local.cluster_access[c.name].endpoint, caCert = local.cluster_access[c.name].ca_cert',
    );
    expect(example.modules['memorystore_egress_sync']).toMatchObject({ gke_endpoint: '${var.gke_endpoint}' });
  });
});

describe('private IP through VPC egress', () => {
  test('both functions send traffic through the connector, with the chosen egress setting', () => {
    for (const fn of Object.values(resourcesOf(tf, 'google_cloudfunctions2_function'))) {
      expect(block(fn, 'service_config')).toMatchObject({
        vpc_connector: '${local.vpc_egress.connector}',
        vpc_connector_egress_settings: '${local.vpc_egress.settings}',
      });
    }
    expect(tf.locals['vpc_egress']).toBe(
      '${var.vpc_connector == null ? { connector = null, settings = null } : { connector = var.vpc_connector, settings = var.vpc_egress }}',
    );
  });

  test('the connector and egress setting are validated', () => {
    const pattern = /regex\("([^"]+)"/.exec(
      String(block(tf.variables['vpc_connector'], 'validation')['condition']),
    )?.[1];
    const accepts = (value: string): boolean => new RegExp(pattern!.replaceAll('\\\\', '\\')).test(value);
    expect(accepts('projects/p/locations/us-central1/connectors/gke')).toBe(true);
    expect(accepts('gke')).toBe(false);
    expect(tf.variables['vpc_egress']!['default']).toBe('PRIVATE_RANGES_ONLY');
    expect(String(block(tf.variables['vpc_egress'], 'validation')['condition'])).toContain(
      '["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"]',
    );
  });

  test('a private endpoint needs a connector, and a cluster that has a private endpoint, per cluster', () => {
    expect(conditions('precondition').map((c) => c['condition'])).toContain(
      '${each.value.endpoint != "private" || var.vpc_connector != null}',
    );
    expect(conditions('postcondition').map((c) => c['condition'])).toContain(
      '${each.value.endpoint != "private" || try(self.private_cluster_config[0].private_endpoint, "") != ""}',
    );
  });

  test('what the functions get for a private IP is accepted by their configuration parser, with the cluster CA', () => {
    const ip = STAND_IN_CLUSTER.private_cluster_config[0].private_endpoint as string;
    const ca = STAND_IN_CLUSTER.master_auth[0].cluster_ca_certificate as string;
    const settings = parseSettings({ ...BASE_ENV, KUBECONFIG: '', GKE_CLUSTER_ENDPOINT: ip, GKE_CLUSTER_CA_CERT: ca });
    expect(settings.clusters[0].kube).toEqual({ kind: 'gke', server: `https://${ip}`, caCertBase64: ca });
  });

  test('the VPC Access API is enabled only with a connector', () => {
    expect(tf.locals['enabled_apis']).toBe(
      '${var.enable_apis ? toset(concat(local.required_apis, local.product_apis, local.inventory_apis, var.vpc_connector == null ? [] : ["vpcaccess.googleapis.com"])) : toset([])}',
    );
  });
});
