import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  block,
  CLUSTER_RBAC_DIR,
  EXAMPLE_DIR,
  loadModule,
  resource,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/** The audit trail (topic -> BigQuery), the log-based metrics, and the module's inputs. */
let tf: TerraformModule;
let example: TerraformModule;
let clusterRbac: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  example = await loadModule(EXAMPLE_DIR);
  clusterRbac = await loadModule(CLUSTER_RBAC_DIR);
});

describe('audit trail', () => {
  test('the audit topic is named by a variable, <name_prefix>-audit by default', () => {
    expect(resource(tf, 'google_pubsub_topic', 'audit')['name']).toBe('${local.audit_topic_name}');
    expect(tf.variables['audit_topic_name']!['default']).toBeNull();
  });

  test('a BigQuery subscription writes each record into the table, by the table schema', () => {
    const subscription = resource(tf, 'google_pubsub_subscription', 'audit_to_bigquery');
    expect(subscription['topic']).toBe('${google_pubsub_topic.audit.id}');
    expect(block(subscription, 'bigquery_config')).toEqual({
      table:
        '${google_bigquery_table.audit.project}.${google_bigquery_table.audit.dataset_id}.${google_bigquery_table.audit.table_id}',
      use_table_schema: true,
      write_metadata: false,
      drop_unknown_fields: false,
    });
  });

  test('the table takes its schema from audit-record-schema.json and is partitioned on time', () => {
    const table = resource(tf, 'google_bigquery_table', 'audit');
    expect(table['schema']).toBe('${file("${path.module}/audit-record-schema.json")}');
    expect(block(table, 'time_partitioning')).toMatchObject({ field: 'time' });
  });

  test("Pub/Sub's agent may edit the audit dataset only", () => {
    expect(resource(tf, 'google_bigquery_dataset_iam_member', 'pubsub_writer')).toMatchObject({
      dataset_id: '${google_bigquery_dataset.audit.dataset_id}',
      role: 'roles/bigquery.dataEditor',
      member: '${local.pubsub_agent}',
    });
  });
});

describe('log-based metrics', () => {
  const metrics = (): Record<string, { filter: string }> => tf.locals['metrics'] as Record<string, { filter: string }>;

  test('count applied changes, conflicts, failures and port range refusals from the audit lines', () => {
    expect(Object.keys(metrics()).sort()).toEqual(['changes_applied', 'conflicts', 'errors', 'gateway_ports_refused']);
    for (const { filter } of Object.values(metrics()))
      expect(filter.startsWith('${local.audit_lines} AND ')).toBe(true);
    expect(metrics()['changes_applied']!.filter).toContain('jsonPayload.record.outcome="applied"');
    expect(metrics()['conflicts']!.filter).toContain('jsonPayload.record.action="conflict"');
    expect(metrics()['errors']!.filter).toContain('jsonPayload.record.outcome="failed"');
    expect(metrics()['gateway_ports_refused']!.filter).toContain('jsonPayload.record.reason:"GATEWAY_PORT_RANGE"');
    const lines = String(tf.locals['audit_lines']);
    expect(lines).toContain('jsonPayload.message=\\"audit record\\"');
    expect(lines).toContain('labels.component=\\"memorystore-egress-sync\\"');
  });

  test('label each count by the action, kind and instance the log line carries', () => {
    const metric = resource(tf, 'google_logging_metric', 'audit');
    expect(metric['for_each']).toBe('${local.metrics}');
    expect(metric['label_extractors']).toEqual({
      action: 'EXTRACT(labels.action)',
      kind: 'EXTRACT(labels.kind)',
      instance: 'EXTRACT(labels.instance)',
    });
  });
});

describe('inputs', () => {
  test.each(['module', 'example', 'cluster-rbac'])('every %s variable has a description and a type', (which) => {
    const variables = { module: tf.variables, example: example.variables, 'cluster-rbac': clusterRbac.variables }[
      which
    ]!;
    expect(Object.keys(variables).length).toBeGreaterThan(which === 'cluster-rbac' ? 0 : 3);
    for (const [name, variable] of Object.entries(variables)) {
      expect([name, typeof variable['description']]).toEqual([name, 'string']);
      expect([name, variable['type']]).toEqual([name, expect.any(String)]);
    }
  });

  test.each([
    'runtime',
    'sync_mode',
    'resync_ingress',
    'max_prune_fraction',
    'event_max_age_seconds',
    'sync_max_instances',
    'sync_timeout_seconds',
    'max_delivery_attempts',
    'gateway_port_range',
    'resync_invokers',
    'resync_schedule',
    'owner_id',
    'gke_endpoint',
    'vpc_connector',
    'vpc_egress',
    'labels',
    'service_accounts',
    'audit_partition_expiration_days',
    'gke_cluster_name',
    'additional_clusters',
  ])('%s is validated', (name) => {
    expect(block(tf.variables[name], 'validation')['condition']).toEqual(expect.stringContaining(`var.${name}`));
  });

  test('the example passes its inputs to the module in this repository', () => {
    const module = (example.files['main.tf'] ?? '').match(/module "memorystore_egress_sync" \{[^}]*\}/)?.[0] ?? '';
    expect(module).toContain('source = "../.."');
    for (const name of ['project_id', 'region', 'gke_cluster_name', 'gke_cluster_location'])
      expect(module).toMatch(new RegExp(`${name}\\s+= var\\.${name}`));
  });

  test('the README documents every input and output, of the module and of modules/cluster-rbac', () => {
    const readme = readFileSync(join(TERRAFORM_DIR, 'README.md'), 'utf8');
    const outputs = [...Object.keys(tf.outputs), ...Object.keys(clusterRbac.outputs)];
    expect(outputs.length).toBeGreaterThan(3);
    const missing = [...Object.keys(tf.variables), ...Object.keys(clusterRbac.variables), ...outputs].filter(
      (name) => !readme.includes(`\`${name}\``),
    );
    expect(missing).toEqual([]);
  });
});
