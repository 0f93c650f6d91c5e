import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFunction } from '@google-cloud/functions-framework/testing';
import { CONFIG_VARIABLES } from '../../shared/config/config-variables.js';
import { BASE_ENV } from '../fixtures/settings.js';
import { block, loadModule, TERRAFORM_DIR, type TerraformModule } from './load-terraform.js';

/** The deployment's wiring, read from the .tf files with an HCL parser: what `terraform validate` cannot see. */
let tf: TerraformModule;
let example: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  example = await loadModule(join(TERRAFORM_DIR, 'examples/basic'));
});

const functions = () => tf.resources['google_cloudfunctions2_function']!;

describe('event path', () => {
  test('the sink routes the Redis admin methods of both API versions to the events topic', () => {
    const sink = tf.resources['google_logging_project_sink']!['redis_admin']!;
    expect(sink['destination']).toBe('pubsub.googleapis.com/${google_pubsub_topic.events.id}');
    expect(sink['filter']).toBe('${local.sink_filter}');
    const filterSource = tf.files['pubsub.tf']!;
    for (const fragment of ['"v1", "v1beta1"', 'CreateInstance', 'UpdateInstance', 'DeleteInstance', 'FailoverInstance', 'UpgradeInstance', 'ImportInstance', 'protoPayload.serviceName=\\"redis.googleapis.com\\"', 'cloudaudit.googleapis.com%2Factivity']) {
      expect(filterSource).toContain(fragment);
    }
    expect(filterSource).not.toMatch(/"ExportInstance"|"RescheduleMaintenance"/);
  });

  test("the sink's writer may publish to the events topic only", () => {
    const grants = Object.values(tf.resources['google_pubsub_topic_iam_member']!).filter((g) => String(g['member']).includes('writer_identity'));
    expect(grants).toEqual([expect.objectContaining({ topic: '${google_pubsub_topic.events.name}', role: 'roles/pubsub.publisher' })]);
  });

  test('the event function is triggered by the events topic, with retries', () => {
    const trigger = block(functions()['sync'], 'event_trigger');
    expect(trigger).toMatchObject({ event_type: 'google.cloud.pubsub.topic.v1.messagePublished', pubsub_topic: '${google_pubsub_topic.events.id}', retry_policy: 'RETRY_POLICY_RETRY' });
    expect(block(functions()['sync'], 'service_config')['max_instance_count']).toBe('${var.sync_max_instances}');
  });

  test('undeliverable events go to the dead-letter topic, which raises an alert', () => {
    expect(tf.files['functions.tf']).toMatch(/--dead-letter-topic="\$\{google_pubsub_topic\.dead_letter\.id\}"/);
    const alert = tf.resources['google_monitoring_alert_policy']!['dead_letter']!;
    expect(JSON.stringify(alert)).toContain('google_pubsub_topic.dead_letter.name');
    expect(alert['notification_channels']).toBe('${var.notification_channels}');
  });
});

describe('functions', () => {
  beforeAll(async () => {
    Object.assign(process.env, BASE_ENV, { MEMORYSTORE_API_ENDPOINT: '127.0.0.1:9', MEMORYSTORE_API_PLAINTEXT: 'true' });
    await import('../../functions/index.js');
  });

  test('entry points are exactly the functions the code registers', () => {
    const entryPoints = Object.values(functions()).map((f) => block(f, 'build_config')['entry_point'] as string);
    expect(entryPoints.sort()).toEqual(['resync', 'syncOnAuditLog']);
    for (const entryPoint of entryPoints) expect(getFunction(entryPoint)).toBeDefined();
  });

  test('both come from the one hashed source archive, on Node.js 22 or later', () => {
    for (const fn of Object.values(functions())) {
      expect(block(block(block(fn, 'build_config'), 'source'), 'storage_source')['object']).toBe('${google_storage_bucket_object.source.name}');
    }
    expect(tf.resources['google_storage_bucket_object']!['source']!['name']).toBe('source-${data.archive_file.source.output_md5}.zip');
    expect(tf.variables['runtime']!['default']).toBe('nodejs22');
    expect(tf.locals['archive_excludes']).toContain('local.gcloudignore');
    expect(String(tf.locals['gcloudignore'])).toContain('.gcloudignore');
  });

  test('the environment is exactly the deployed configuration variables, on both functions', () => {
    const deployed = CONFIG_VARIABLES.filter((v) => v.deployed).map((v) => v.name).sort();
    const environment = tf.locals['function_environment'] as Record<string, unknown>;
    expect(Object.keys(environment).sort()).toEqual(deployed);
    for (const fn of Object.values(functions())) expect(block(fn, 'service_config')['environment_variables']).toBe('${local.function_environment}');
    for (const required of CONFIG_VARIABLES.filter((v) => v.required)) expect(v(required.name)).toBe(true);
    function v(name: string): boolean {
      return name in environment;
    }
  });
});

describe('least privilege', () => {
  const everything = () => [...Object.values(tf.files), ...Object.values(example.files)].join('\n');

  test('no primitive roles and nothing public', () => {
    expect(everything()).not.toMatch(/roles\/(owner|editor|viewer)"/);
    expect(everything()).not.toMatch(/allUsers|allAuthenticatedUsers/);
  });

  test('project roles of the functions are the viewer roles they use', () => {
    expect(tf.locals['function_roles']).toEqual(['roles/redis.viewer', 'roles/container.clusterViewer']);
  });

  test('resync is invoked only by the listed principals and the scheduler, with an OIDC token for its audience', () => {
    const invokers = tf.resources['google_cloud_run_service_iam_member']!['resync_invokers']!;
    expect(invokers).toMatchObject({ role: 'roles/run.invoker', service: '${google_cloudfunctions2_function.resync.name}' });
    expect(invokers['for_each']).toBe('${toset(concat(var.resync_invokers, [google_service_account.scheduler.member]))}');
    const oidc = block(block(tf.resources['google_cloud_scheduler_job']!['resync'], 'http_target'), 'oidc_token');
    expect(oidc).toEqual({ service_account_email: '${google_service_account.scheduler.email}', audience: '${local.resync_audience}' });
    expect((tf.locals['function_environment'] as Record<string, unknown>)['RESYNC_AUDIENCE']).toBe('${local.resync_audience}');
  });

  test('Kubernetes RBAC comes from the manifest the tests bind', () => {
    expect(tf.files['kubernetes.tf']).toContain('templatefile("${path.module}/kubernetes/rbac.yaml.tftpl"');
    const manifest = readFileSync(join(TERRAFORM_DIR, 'kubernetes/rbac.yaml.tftpl'), 'utf8');
    expect(manifest).not.toMatch(/secrets|ClusterRole|"\*"/);
  });
});

describe('variables', () => {
  test.each(['module', 'example'])('every %s variable has a description and a type', (which) => {
    const variables = which === 'module' ? tf.variables : example.variables;
    expect(Object.keys(variables).length).toBeGreaterThan(3);
    for (const [name, variable] of Object.entries(variables)) {
      expect([name, typeof variable['description']]).toEqual([name, 'string']);
      expect([name, variable['type']]).toEqual([name, expect.any(String)]);
    }
  });
});
