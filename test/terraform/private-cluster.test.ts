import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE_ENV } from '../fixtures/settings.js';
import { parseConfig } from '../../shared/config/parse-config.js';
import { block, EXAMPLE_DIR, loadModule, resourcesOf, TERRAFORM_DIR, type Block, type TerraformModule } from './load-terraform.js';

/**
 * Reaching a private cluster: the DNS-based control-plane endpoint (recommended: IAM from anywhere, no VPC), or the
 * private IP through VPC egress. `tofu plan` in CI runs both postconditions against a stand-in cluster; these check
 * the wiring and that what Terraform hands the functions is what their configuration parser accepts.
 */
let tf: TerraformModule;
let example: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  example = await loadModule(EXAMPLE_DIR);
});

const STAND_IN_CLUSTER = JSON.parse(readFileSync(fileURLToPath(new URL('../components/terraform/schema-provider/data-sources.json', import.meta.url)), 'utf8'))['google_container_cluster'];
const cluster = (): Block => tf.data['google_container_cluster']!['target']!;
const conditions = (kind: 'postcondition' | 'precondition'): Block[] => (block(cluster(), 'lifecycle')[kind] as Block[]);

describe('DNS-based endpoint', () => {
  test('is the default, among dns, private and public', () => {
    const variable = tf.variables['gke_endpoint']!;
    expect(variable['default']).toBe('dns');
    expect(String(block(variable, 'validation')['condition'])).toContain('contains(["dns", "private", "public"], var.gke_endpoint)');
  });

  test('is read from control_plane_endpoints_config and passed without a CA (publicly trusted certificate)', () => {
    expect(tf.locals['gke_endpoints']).toEqual({
      dns: '${try(data.google_container_cluster.target.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, "")}',
      private: '${try(data.google_container_cluster.target.private_cluster_config[0].private_endpoint, "")}',
      public: '${data.google_container_cluster.target.endpoint}',
    });
    expect(tf.locals['gke_endpoint']).toBe('${local.gke_endpoints[var.gke_endpoint]}');
    expect(tf.locals['gke_ca']).toBe('${var.gke_endpoint == "dns" ? "" : data.google_container_cluster.target.master_auth[0].cluster_ca_certificate}');
  });

  test('the plan stops, saying what to do, when the endpoint does not allow external traffic', () => {
    const check = conditions('postcondition').find((c) => String(c['condition']).includes('allow_external_traffic'));
    expect(check?.['condition']).toBe('${var.gke_endpoint != "dns" || try(self.control_plane_endpoints_config[0].dns_endpoint_config[0].allow_external_traffic, false)}');
    expect(String(check?.['error_message'])).toContain('--enable-dns-access');
  });

  test('what the functions get for a DNS endpoint is accepted by their configuration parser, with system trust', () => {
    const dns = STAND_IN_CLUSTER.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint as string;
    expect(dns).toMatch(/\.gke\.goog$/);
    const config = parseConfig({ ...BASE_ENV, KUBECONFIG: '', GKE_CLUSTER_ENDPOINT: dns, GKE_CLUSTER_CA_CERT: '' });
    expect(config.kube).toEqual({ kind: 'gke', server: `https://${dns}` });
  });

  test('the example installs the RBAC over the same endpoint the functions use', () => {
    expect(example.locals['kubernetes_hosts']).toMatchObject({ dns: '${try(local.cluster.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, "")}' });
    expect(example.files['main.tf']).toContain('host                   = "https://${local.kubernetes_hosts[var.gke_endpoint]}"');
    expect(example.files['main.tf']).toContain('gke_endpoint          = var.gke_endpoint');
  });
});

describe('private IP through VPC egress', () => {
  test('both functions send traffic through the connector, with the chosen egress setting', () => {
    for (const fn of Object.values(resourcesOf(tf, 'google_cloudfunctions2_function'))) {
      expect(block(fn, 'service_config')).toMatchObject({ vpc_connector: '${local.vpc_egress.connector}', vpc_connector_egress_settings: '${local.vpc_egress.settings}' });
    }
    expect(tf.locals['vpc_egress']).toBe('${var.vpc_connector == null ? { connector = null, settings = null } : { connector = var.vpc_connector, settings = var.vpc_egress }}');
  });

  test('the connector and egress setting are validated', () => {
    const pattern = /regex\("([^"]+)"/.exec(String(block(tf.variables['vpc_connector'], 'validation')['condition']))?.[1];
    const accepts = (value: string): boolean => new RegExp(pattern!.replaceAll('\\\\', '\\')).test(value);
    expect(accepts('projects/p/locations/us-central1/connectors/gke')).toBe(true);
    expect(accepts('gke')).toBe(false);
    expect(tf.variables['vpc_egress']!['default']).toBe('PRIVATE_RANGES_ONLY');
    expect(String(block(tf.variables['vpc_egress'], 'validation')['condition'])).toContain('["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"]');
  });

  test('a private endpoint needs a connector, and a cluster that has a private endpoint', () => {
    expect(conditions('precondition').map((c) => c['condition'])).toContain('${var.gke_endpoint != "private" || var.vpc_connector != null}');
    expect(conditions('postcondition').map((c) => c['condition'])).toContain('${var.gke_endpoint != "private" || try(self.private_cluster_config[0].private_endpoint, "") != ""}');
  });

  test('what the functions get for a private IP is accepted by their configuration parser, with the cluster CA', () => {
    const ip = STAND_IN_CLUSTER.private_cluster_config[0].private_endpoint as string;
    const ca = STAND_IN_CLUSTER.master_auth[0].cluster_ca_certificate as string;
    const config = parseConfig({ ...BASE_ENV, KUBECONFIG: '', GKE_CLUSTER_ENDPOINT: ip, GKE_CLUSTER_CA_CERT: ca });
    expect(config.kube).toEqual({ kind: 'gke', server: `https://${ip}`, caCertBase64: ca });
  });

  test('the VPC Access API is enabled only with a connector', () => {
    expect(tf.locals['enabled_apis']).toBe('${var.enable_apis ? toset(concat(local.required_apis, local.product_apis, var.vpc_connector == null ? [] : ["vpcaccess.googleapis.com"])) : toset([])}');
  });
});
