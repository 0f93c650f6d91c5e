import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  block,
  CLUSTER_RBAC_DIR,
  EXAMPLE_DIR,
  loadModule,
  resource,
  resourcesOf,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';
import { outboxName } from '../../shared/audit/audit-outbox.js';

/**
 * Who may do what: every role granted, every invoker, the scheduler's token, the cluster RBAC. The RBAC and the
 * admission policy live in modules/cluster-rbac since several clusters (one call per cluster); the checks on them read
 * that module, and that the root module feeds it the same values it rendered from before.
 */
let tf: TerraformModule;
let example: TerraformModule;
let rbac: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  example = await loadModule(EXAMPLE_DIR);
  rbac = await loadModule(CLUSTER_RBAC_DIR);
});

/** Every role the module grants: the literal `role` of each IAM resource, and the project roles it loops over. */
function grantedRoles(): string[] {
  const roles = Object.entries(tf.resources)
    .filter(([type]) => type.endsWith('_iam_member'))
    .flatMap(([, byName]) => Object.values(byName).map((grant) => String(grant['role'])));
  const productRoles = Object.values(tf.locals['products'] as Record<string, { viewer_role: string }>).map(
    (p) => p.viewer_role,
  );
  // function_roles (the product viewers) and the cluster viewer grants are looped over: their roles are named here.
  return [...roles.filter((r) => r !== '${each.value.role}'), ...productRoles, 'roles/container.clusterViewer'];
}

test('no primitive role and no public member, anywhere', () => {
  const text = [...Object.values(tf.files), ...Object.values(example.files), ...Object.values(rbac.files)].join('\n');
  expect(text).not.toMatch(/roles\/(owner|editor|viewer)\b/);
  expect(text).not.toMatch(/allUsers|allAuthenticatedUsers/);
});

test('the roles granted are exactly the ones this deployment needs', () => {
  expect([...new Set(grantedRoles())].sort()).toEqual([
    'roles/artifactregistry.writer', // build account, on the functions' image repository only
    'roles/bigquery.dataEditor', // Pub/Sub agent, on the audit dataset
    'roles/cloudkms.cryptoKeyEncrypterDecrypter', // Pub/Sub agent, on kms_key_name only, when set
    'roles/container.clusterViewer', // functions: GKE authentication (container.clusters.get), synced clusters only
    'roles/iam.serviceAccountTokenCreator', // Pub/Sub agent on the push identity; resync_operators on the operator
    'roles/logging.logWriter', // build account: build logs
    'roles/memcache.viewer', // functions: read Memcached instances, when memcached is synced
    'roles/memorystore.viewer', // functions: read Valkey instances, when valkey is synced
    // sink -> events topic, agent -> dead-letter topic, functions -> audit topic, sync -> events topic (a retry)
    'roles/pubsub.publisher',
    'roles/pubsub.subscriber', // Pub/Sub agent, on the events subscription (dead letters)
    'roles/redis.viewer', // functions: read Redis instances, when redis is synced
    'roles/run.invoker', // push identity -> sync; scheduler, operator and named accounts -> resync
    'roles/storage.objectViewer', // build account, on the source bucket only
  ]);
});

test('the only project-wide grants are the product viewers and the cluster viewer to the functions, and build logs', () => {
  expect(Object.keys(resourcesOf(tf, 'google_project_iam_member')).sort()).toEqual([
    'build_log_writer',
    'function_roles',
  ]);
  expect(resource(tf, 'google_project_iam_member', 'function_roles')['for_each']).toBe('${local.function_grants}');
  // One viewer role per synced product, and nothing else but GKE's cluster viewer.
  const products = tf.locals['products'] as Record<string, { viewer_role: string }>;
  expect(Object.fromEntries(Object.entries(products).map(([p, { viewer_role }]) => [p, viewer_role]))).toEqual({
    redis: 'roles/redis.viewer',
    valkey: 'roles/memorystore.viewer',
    memcached: 'roles/memcache.viewer',
    'redis-cluster': 'roles/redis.viewer',
  });
  expect(tf.locals['function_roles']).toBe('${distinct([for p in local.synced_products : p.viewer_role])}');
  expect(tf.locals['function_identities']).toEqual({
    sync: '${local.service_account_members["sync"]}',
    resync: '${local.service_account_members["resync"]}',
  });
});

test('each function runs as its own service account, and publishes audit records to the audit topic only', () => {
  expect(
    block(resource(tf, 'google_cloudfunctions2_function', 'sync'), 'service_config')['service_account_email'],
  ).toBe('${local.service_account_emails["sync"]}');
  expect(
    block(resource(tf, 'google_cloudfunctions2_function', 'resync'), 'service_config')['service_account_email'],
  ).toBe('${local.service_account_emails["resync"]}');
  expect(resource(tf, 'google_pubsub_topic_iam_member', 'audit_publisher')).toMatchObject({
    for_each: '${local.function_identities}',
    topic: '${google_pubsub_topic.audit.name}',
    role: 'roles/pubsub.publisher',
  });
});

test('resync may be invoked by the listed accounts, the scheduler and the operator account only', () => {
  const invokers = resource(tf, 'google_cloud_run_service_iam_member', 'resync_invokers');
  expect(invokers).toMatchObject({
    role: 'roles/run.invoker',
    service: '${google_cloudfunctions2_function.resync.name}',
  });
  // Keys known at plan (a new scheduler account's member may not be): for_each needs them.
  expect(invokers['for_each']).toBe(
    '${merge({ for m in var.resync_invokers : m => m }, { scheduler = local.service_account_members["scheduler"], operator = local.service_account_members["operator"] })}',
  );
  const runInvokers = Object.values(resourcesOf(tf, 'google_cloud_run_service_iam_member')).map((g) => [
    g['service'],
    g['member'],
  ]);
  expect(runInvokers).toEqual([
    ['${google_cloudfunctions2_function.sync.name}', '${local.service_account_members["push"]}'],
    ['${google_cloudfunctions2_function.resync.name}', '${each.value}'],
  ]);
});

test('the scheduler POSTs to the run.app URL of resync, with that URL as the audience the function checks', () => {
  const job = resource(tf, 'google_cloud_scheduler_job', 'resync');
  expect(job).toMatchObject({ schedule: '${var.resync_schedule}', time_zone: '${var.resync_time_zone}' });
  const target = block(job, 'http_target');
  expect(target).toMatchObject({ http_method: 'POST', uri: '${local.resync_url}' });
  expect(block(target, 'oidc_token')).toEqual({
    service_account_email: '${local.service_account_emails["scheduler"]}',
    audience: '${local.resync_url}',
  });
  expect(tf.variables['resync_schedule']!['default']).toBe('*/15 * * * *');
});

test('in each project that holds a synced cluster, the two function identities get the cluster viewer, once per project', () => {
  expect(resource(tf, 'google_project_iam_member', 'function_roles')['project']).toBe('${each.value.project}');
  expect(tf.locals['cluster_projects']).toBe('${sort(distinct([for c in local.clusters : c.project]))}');
  const grants = String(tf.locals['function_grants']);
  // Keys as before several clusters (project_id: no project suffix), so existing grants keep their addresses; one
  // more key per identity and other project.
  // The product viewers likewise: in project_id under their old keys, in each other synced project with its suffix.
  expect(grants).toContain(
    'triple[2] == var.project_id ? "${triple[0]}/${triple[1]}" : "${triple[0]}/${triple[1]}/${triple[2]}" => {',
  );
  expect(grants).toContain(
    'pair[1] == var.project_id ? "${pair[0]}/roles/container.clusterViewer" : "${pair[0]}/roles/container.clusterViewer/${pair[1]}" => {',
  );
  expect(grants.match(/role +=/g)).toHaveLength(2);
  expect(grants).toContain('condition = local.cluster_viewer_grants[pair[1]]');
});

test('Kubernetes RBAC is the shipped manifest, rendered for each function identity, and can be turned off', () => {
  expect(rbac.locals['templates']).toBe('${path.module}/../../kubernetes');
  expect(rbac.locals['rbac_template']).toBe('${local.templates}/rbac.yaml.tftpl');
  expect(String(rbac.locals['rbac_text'])).toContain('sync_user = email');
  expect(String(rbac.locals['rbac_documents'])).toContain('local.rbac_text[who]');
  expect(resource(rbac, 'kubernetes_manifest', 'rbac')).toMatchObject({
    for_each: '${local.rbac_manifests}',
    manifest: '${each.value}',
  });
  expect(rbac.locals['rbac_users']).toBe(
    '${{ for who, email in var.settings.identities : who => email if var.settings.manage_rbac }}',
  );
  // Emails known at plan (kubernetes_manifest needs the whole manifest then), never an account's `email` attribute.
  expect(tf.locals['rbac_identities']).toBe(
    '${{ for who in ["sync", "resync"] : who => local.service_account_emails_at_plan[who] }}',
  );
  expect(String(tf.locals['cluster_rbac'])).toContain('identities                = local.rbac_identities');
  expect(String(tf.locals['cluster_rbac'])).toContain('manage_rbac               = var.manage_kubernetes_rbac');
  expect(tf.locals['service_account_emails_at_plan']).toBe(
    '${{ for who, id in local.service_account_ids : who => coalesce(var.service_accounts[who], "${id}@${var.project_id}.iam.gserviceaccount.com") }}',
  );
  expect(tf.files['kubernetes.tf']).not.toMatch(/google_service_account\./);
  for (const text of Object.values(rbac.files)) expect(text).not.toMatch(/google_service_account\./);
  expect(tf.variables['manage_kubernetes_rbac']!['default']).toBe(true);
  const manifest = readFileSync(join(TERRAFORM_DIR, 'kubernetes/rbac.yaml.tftpl'), 'utf8');
  expect(manifest).not.toMatch(/secrets|ClusterRole|"\*"/);
  // templatefile() reads every dollar-brace sequence as an expression, comments included: only the five placeholders.
  expect([...new Set([...manifest.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]))].sort()).toEqual([
    'audit_outbox',
    'egress_gateway_namespace',
    'egress_gateway_service',
    'istio_namespace',
    'sync_user',
  ]);
});

/** A Kubernetes manifest as parsed YAML; the tests read its fields loosely. */
type Manifest = {
  kind: string;
  apiVersion: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
  rules?: unknown;
};

/** A manifest template filled in as templatefile() fills these plain placeholders, split into its documents. */
function renderedDocuments(file: string, values: Record<string, string>): Manifest[] {
  const text = readFileSync(join(TERRAFORM_DIR, 'kubernetes', file), 'utf8').replace(
    /\$\{(\w+)\}/g,
    (_m, key: string) => {
      if (values[key] === undefined) throw new Error(`${file}: placeholder ${key} has no value`);
      return values[key];
    },
  );
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest);
}

test('RBAC on the Istio kinds has the verbs the code uses and no more: no watch, no patch; ConfigMaps only for the outbox', () => {
  const [istioRole, , serviceRole] = renderedDocuments('rbac.yaml.tftpl', {
    istio_namespace: 'istio-system',
    egress_gateway_namespace: 'istio-system',
    egress_gateway_service: 'gw',
    audit_outbox: 'outbox',
    sync_user: 'sync@p.iam.gserviceaccount.com',
  });
  expect(istioRole!.rules).toEqual([
    {
      apiGroups: ['networking.istio.io'],
      resources: ['serviceentries', 'gateways', 'destinationrules', 'virtualservices'],
      verbs: ['get', 'list', 'create', 'update', 'delete'],
    },
    // ACCESS_MODE=declared's policy per instance; listed in open mode too, so switching back prunes it.
    {
      apiGroups: ['security.istio.io'],
      resources: ['authorizationpolicies'],
      verbs: ['get', 'list', 'create', 'update', 'delete'],
    },
    // `create` cannot be limited by name in RBAC: the admission policy refuses any ConfigMap but the outbox.
    { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: ['outbox'], verbs: ['get', 'update', 'delete'] },
  ]);
  expect(rbac.locals['rbac_values']).toMatchObject({
    audit_outbox: `memorystore-egress-sync-audit-outbox-\${lower(replace(var.settings.owner_id, "_", "-"))}`,
  });
  expect(String(tf.locals['cluster_rbac'])).toContain('owner_id                  = var.owner_id');
  expect(outboxName('Prod_EU')).toBe('memorystore-egress-sync-audit-outbox-prod-eu');
  expect(serviceRole!.rules).toEqual([
    { apiGroups: [''], resources: ['services'], resourceNames: ['gw'], verbs: ['get', 'patch'] },
  ]);
});

describe('the admission policy', () => {
  test('is installed from the shipped manifest, for both function identities, with every value known at plan', () => {
    expect(rbac.locals['admission_policy_template']).toBe('${local.templates}/admission-policy.yaml.tftpl');
    expect(resource(rbac, 'kubernetes_manifest', 'admission_policy')).toMatchObject({
      for_each: '${local.admission_policy_documents}',
      manifest: '${each.value}',
    });
    expect(String(rbac.locals['admission_policy_documents'])).toMatch(
      /\n\s*if var\.settings\.manage_admission_policy\n\s*\}\}$/,
    );
    expect(tf.variables['manage_admission_policy']!['default']).toBe(true);
    expect(String(tf.locals['cluster_rbac'])).toContain('manage_admission_policy   = var.manage_admission_policy');
    // The identities the root module passes: emails derived from the account ids and the project, as for RBAC.
    expect(rbac.locals['admission_policy_values']).toBe(
      '${merge(local.rbac_values, {\n    policy_name = local.admission_policy_name\n    owner_id    = var.settings.owner_id\n    sync_user   = var.settings.identities.sync\n    resync_user = var.settings.identities.resync\n  }, local.admission_params)}',
    );
    // The content rules' params: the functions' own settings, as the root module passes them for every cluster.
    expect(rbac.locals['admission_params']).toMatchObject({
      host_suffix: '${var.settings.host_suffix}',
      export_to: '${join(",", var.settings.export_to)}',
      gateway_port_from: '${tostring(var.settings.gateway_port_range.from)}',
      gateway_port_to: '${tostring(var.settings.gateway_port_range.to)}',
    });
    for (const wiring of [
      'host_suffix               = var.service_entry_host_suffix',
      'export_to                 = var.service_entry_export_to',
      'egress_gateway_selector   = var.egress_gateway_selector',
      'gateway_port_range        = var.gateway_port_range',
      'gateway_ports_per_service = var.gateway_ports_per_service',
    ])
      expect(String(tf.locals['cluster_rbac'])).toContain(wiring);
    expect(rbac.locals['admission_policy_name']).toBe(
      'memorystore-egress-sync-${lower(replace(var.settings.owner_id, "_", "-"))}',
    );
  });

  test('names both identities in every policy, binds every policy with Deny, and fails closed', () => {
    const docs = renderedDocuments('admission-policy.yaml.tftpl', {
      policy_name: 'mes-prod',
      istio_namespace: 'istio-system',
      egress_gateway_namespace: 'istio-system',
      egress_gateway_service: 'gw',
      owner_id: 'prod',
      audit_outbox: 'outbox',
      sync_user: 'sync@p.iam.gserviceaccount.com',
      resync_user: 'resync@p.iam.gserviceaccount.com',
      host_suffix: 'memorystore.internal',
      export_to: '*',
      ambient_waypoint: 'waypoint',
      egress_gateway_selector: 'istio=egressgateway',
      gateway_port_from: '16000',
      gateway_port_to: '16999',
      port_services: "['gw-ports-17000']",
      address_ranges: '10.0.0.0/8',
    });
    const policies = docs.filter((d) => d.kind === 'ValidatingAdmissionPolicy');
    const bindings = docs.filter((d) => d.kind === 'ValidatingAdmissionPolicyBinding');
    expect(policies.map((p) => p.metadata.name)).toEqual([
      'mes-prod-gateway-service',
      'mes-prod-port-services',
      'mes-prod-istio-objects',
      'mes-prod-audit-outbox',
    ]);
    expect(bindings.map((b) => [b.spec['policyName'], b.spec['validationActions']])).toEqual(
      policies.map((p) => [p.metadata.name, ['Deny', 'Audit']]),
    );
    for (const policy of policies) {
      expect(policy.apiVersion).toBe('admissionregistration.k8s.io/v1');
      expect(policy.spec['failurePolicy']).toBe('Fail');
      expect((policy.spec['matchConditions'] as unknown[])[0]).toEqual({
        name: 'functions-identity',
        expression:
          'request.userInfo.username in ["sync@p.iam.gserviceaccount.com", "resync@p.iam.gserviceaccount.com"]',
      });
    }
    // The content rules compare with the functions' settings rendered into the expressions, not with a params
    // ConfigMap: a binding's missing params would refuse every user's writes (params resolve before matchConditions).
    expect(docs.map((d) => d.kind)).not.toContain('ConfigMap');
    for (const policy of policies) expect(policy.spec['paramKind']).toBeUndefined();
    const variables = (name: string): Record<string, string> =>
      Object.fromEntries(
        (
          policies.find((p) => p.metadata.name === name)!.spec['variables'] as { name: string; expression: string }[]
        ).map((v) => [v.name, v.expression]),
      );
    expect(variables('mes-prod-gateway-service')).toMatchObject({ portFrom: '16000', portTo: '16999' });
    expect(variables('mes-prod-istio-objects')).toMatchObject({
      hostSuffix: "'.memorystore.internal'",
      gatewayHost: "'gw.istio-system.svc.cluster.local'",
      portFrom: '16000',
      portTo: '16999',
      addressRanges: "'10.0.0.0/8'.split(',').map(r, cidr(r.trim()))",
      exportTo: "'*'.split(',').map(x, x.trim())",
      selector: "'istio=egressgateway'.split(',').map(x, x.trim())",
    });
  });
});
