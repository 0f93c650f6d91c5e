import {
  block,
  loadModule,
  resource,
  resourcesOf,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/** What users of terraform-google-modules expect: labels, optional API enablement, bring-your-own accounts, outputs. */
let tf: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
});

// The resource types of this module whose google provider schema has `labels` (monitoring alert policies call them
// `user_labels`). CI's labels check reads the provider schema itself, so a new labelled type cannot be missed there.
const LABELLED = [
  'google_bigquery_dataset',
  'google_bigquery_table',
  'google_cloudfunctions2_function',
  'google_pubsub_subscription',
  'google_pubsub_topic',
  'google_storage_bucket',
];

test('every resource that takes labels gets var.labels', () => {
  const unlabelled = LABELLED.flatMap((type) =>
    Object.entries(resourcesOf(tf, type))
      .filter(([, r]) => r['labels'] !== '${var.labels}')
      .map(([name]) => `${type}.${name}`),
  );
  expect(unlabelled).toEqual([]);
  expect(Object.keys(resourcesOf(tf, 'google_pubsub_topic')).length).toBeGreaterThanOrEqual(4);
  for (const alert of Object.values(resourcesOf(tf, 'google_monitoring_alert_policy')))
    expect(alert['user_labels']).toBe('${var.labels}');
});

test('APIs are enabled on request, and never disabled on destroy', () => {
  const apis = resource(tf, 'google_project_service', 'enabled');
  expect(apis).toMatchObject({
    for_each: '${local.enabled_apis}',
    disable_on_destroy: false,
    disable_dependent_services: false,
  });
  expect(tf.variables['enable_apis']!['default']).toBe(true);
  expect(tf.locals['required_apis']).toEqual(
    expect.arrayContaining([
      'cloudfunctions.googleapis.com',
      'run.googleapis.com',
      'cloudbuild.googleapis.com',
      'pubsub.googleapis.com',
      'bigquery.googleapis.com',
      'cloudscheduler.googleapis.com',
    ]),
  );
  // Each synced product's admin API, from the same table as the sink filter.
  expect(tf.locals['product_apis']).toBe('${distinct([for p in local.synced_products : p.service])}');
});

test('service accounts are created only for the roles var.service_accounts leaves out', () => {
  expect(resource(tf, 'google_service_account', 'this')['for_each']).toBe('${local.created_service_accounts}');
  expect(tf.locals['created_service_accounts']).toBe(
    '${{ for who, id in local.service_account_ids : who => id if var.service_accounts[who] == null }}',
  );
  expect(tf.locals['service_account_emails']).toBe(
    '${{ for who in keys(local.service_account_ids) : who => coalesce(var.service_accounts[who], try(google_service_account.this[who].email, null)) }}',
  );
  expect(Object.keys(tf.locals['service_account_ids'] as object).sort()).toEqual([
    'operator',
    'push',
    'resync',
    'scheduler',
    'sync',
  ]);
  // The email the RBAC was planned for is the one the account gets, or apply stops.
  const postcondition = block(block(resource(tf, 'google_service_account', 'this'), 'lifecycle'), 'postcondition');
  expect(postcondition['condition']).toBe('${self.email == local.service_account_emails_at_plan[each.key]}');
});

test('accounts made before bring-your-own keep their state (moved, not replaced)', () => {
  for (const who of ['sync', 'resync', 'push', 'scheduler'])
    expect(tf.files['iam.tf']).toContain(
      `from = google_service_account.${who}\n  to   = google_service_account.this["${who}"]`,
    );
});

test('there is an output for every URL, topic, subscription and account', () => {
  const outputs = tf.files['outputs.tf'] ?? '';
  for (const name of Object.keys(resourcesOf(tf, 'google_pubsub_topic')))
    expect([name, outputs.includes(`google_pubsub_topic.${name}.id`)]).toEqual([name, true]);
  for (const name of Object.keys(resourcesOf(tf, 'google_pubsub_subscription')).filter(
    (n) => n !== 'audit_to_bigquery',
  )) {
    expect([name, outputs.includes(`google_pubsub_subscription.${name}.id`)]).toEqual([name, true]);
  }
  expect(outputs).toContain('google_cloudfunctions2_function.sync.service_config[0].uri');
  expect(outputs).toContain('value       = local.resync_url');
  expect(outputs).toContain('value       = local.service_account_emails');
  expect(outputs).toContain('google_logging_project_sink.redis_admin.writer_identity');
});
