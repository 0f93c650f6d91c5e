import { getFunction } from '@google-cloud/functions-framework/testing';
import { CONFIG_VARIABLES } from '../../shared/config/config-variables.js';
import { BASE_ENV } from '../../dev/fixtures/settings.js';
import { DEPLOYED_NODE_OPTIONS } from '../../scripts/bench/function-process.js';
import {
  block,
  loadModule,
  nested,
  resource,
  resourcesOf,
  TERRAFORM_DIR,
  type Block,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/** The two functions as deployed: entry points, source, runtime, and exactly the environment the code reads. */
let tf: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  Object.assign(process.env, BASE_ENV, { MEMORYSTORE_API_ENDPOINT: '127.0.0.1:9', MEMORYSTORE_API_PLAINTEXT: 'true' });
  await import('../../functions/index.js');
});

const functions = (): Record<string, Block> => resourcesOf(tf, 'google_cloudfunctions2_function');
const environment = (): Record<string, unknown> => tf.locals['function_environment'] as Record<string, unknown>;

test('entry points are exactly the functions the code registers', () => {
  expect(block(functions()['sync'], 'build_config')['entry_point']).toBe('syncOnAuditLog');
  expect(block(functions()['resync'], 'build_config')['entry_point']).toBe('resync');
  expect(Object.keys(functions()).sort()).toEqual(['resync', 'sync']);
  for (const entryPoint of ['syncOnAuditLog', 'resync']) expect(getFunction(entryPoint)).toBeDefined();
});

test('both are built from the one source object, named by the archive hash', () => {
  for (const fn of Object.values(functions())) {
    expect(nested(fn, 'build_config', 'source', 'storage_source')).toEqual({
      bucket: '${local.build_source.bucket}',
      object: '${local.build_source.object}',
    });
  }
  expect(tf.locals['build_source']).toEqual({
    bucket: '${google_storage_bucket.source.name}',
    object: '${google_storage_bucket_object.source.name}',
  });
  expect(resource(tf, 'google_storage_bucket_object', 'source')).toMatchObject({
    name: 'source-${archive_file.source.output_md5}.zip',
    source: '${archive_file.source.output_path}',
  });
});

test('the source bucket is private, uniform and versioned', () => {
  const bucket = resource(tf, 'google_storage_bucket', 'source');
  expect(bucket).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: 'enforced' });
  expect(block(bucket, 'versioning')).toEqual({ enabled: true });
});

test('the runtime is Node.js 22 or later, by default and by validation', () => {
  for (const fn of Object.values(functions())) expect(block(fn, 'build_config')['runtime']).toBe('${var.runtime}');
  const runtime = tf.variables['runtime']!;
  expect(runtime['default']).toBe('nodejs22');
  const condition = String(block(runtime, 'validation')['condition']);
  const pattern = /regex\("([^"]+)"/.exec(condition)?.[1];
  expect(pattern).toBeDefined();
  const accepts = (value: string): boolean => new RegExp(pattern!).test(value);
  expect(['nodejs22', 'nodejs24', 'nodejs30'].filter(accepts)).toEqual(['nodejs22', 'nodejs24', 'nodejs30']);
  expect(['nodejs18', 'nodejs20', 'nodejs2', 'python312'].filter(accepts)).toEqual([]);
});

test('the environment of the functions is exactly the configuration variables marked deployed', () => {
  // RESYNC_AUTH (cloud-run | verify) is set on resync only; it counts as deployed whether or not the table lists it
  // yet.
  // NODE_OPTIONS is Node's own (the heap ceiling), not a setting of the code.
  const deployed = new Set([
    ...CONFIG_VARIABLES.filter((v) => v.deployed).map((v) => v.name),
    'RESYNC_AUTH',
    'NODE_OPTIONS',
  ]);
  const resyncOnly = tf.locals['resync_only_environment'] as Record<string, unknown>;
  expect(resyncOnly).toEqual({ RESYNC_AUTH: 'cloud-run' });
  expect([...new Set([...Object.keys(environment()), ...Object.keys(resyncOnly)])].sort()).toEqual(
    [...deployed].sort(),
  );
  expect(block(functions()['sync'], 'service_config')['environment_variables']).toBe('${local.function_environment}');
  expect(block(functions()['resync'], 'service_config')['environment_variables']).toBe(
    '${merge(local.function_environment, local.resync_only_environment)}',
  );
});

test('each memory size gives V8 a heap ceiling under it, and the bench measures with the default one', () => {
  const ceilings = tf.locals['heap_ceiling_mib'] as Record<string, number>;
  const sizes = String(block(tf.variables['function_memory'], 'validation')['condition']);
  const mib = (size: string): number => (size.endsWith('Gi') ? 1024 : 1) * Number.parseInt(size, 10);
  for (const size of sizes.match(/\d+(Mi|Gi)/g) ?? []) {
    expect([size, ceilings[size]! > 0 && ceilings[size]! <= 0.75 * mib(size)]).toEqual([size, true]);
  }
  expect(environment()['NODE_OPTIONS']).toBe(
    '--max-old-space-size=${local.heap_ceiling_mib[local.function_memory]} --max-semi-space-size=4',
  );
  // The bench's default: one product (memorystore_products' default), for which the module chooses 256Mi (memory.tf).
  expect(tf.variables['memorystore_products']!['default']).toEqual(['redis']);
  expect(DEPLOYED_NODE_OPTIONS).toBe(`--max-old-space-size=${ceilings['256Mi']} --max-semi-space-size=4`);
});

test('variables for local runs and tests are set nowhere in the deployment', () => {
  const localOnly = CONFIG_VARIABLES.filter((v) => !v.deployed).map((v) => v.name);
  expect(localOnly).toEqual(expect.arrayContaining(['KUBECONFIG', 'MEMORYSTORE_API_ENDPOINT', 'ID_TOKEN_CERTS_URL']));
  const everything = Object.values(tf.files).join('\n');
  for (const name of localOnly) expect([name, everything.includes(name)]).toEqual([name, false]);
});

test('the environment points at the deployment: audience, callers, audit topic', () => {
  expect(environment()).toMatchObject({
    MEMORYSTORE_PROJECT: '${var.project_id}',
    RESYNC_AUDIENCE: '${local.resync_url}',
    RESYNC_ALLOWED_PRINCIPALS: '${join(",", local.resync_principals)}',
    RESYNC_SCHEDULER_PRINCIPAL: '${local.service_account_emails["scheduler"]}',
    AUDIT_TOPIC: '${google_pubsub_topic.audit.id}',
    EVENT_MAX_AGE_SECONDS: '${tostring(var.event_max_age_seconds)}',
  });
  // Cloud Run's deterministic run.app URL: https://SERVICE-PROJECT_NUMBER.REGION.run.app, known before the service exists.
  expect(tf.locals['resync_url']).toBe(
    'https://${local.resync_function_name}-${data.google_project.this.number}.${var.region}.run.app',
  );
  expect(resource(tf, 'google_cloudfunctions2_function', 'resync')['name']).toBe('${local.resync_function_name}');
  expect(tf.locals['resync_principals']).toBe(
    '${concat([for m in var.resync_invokers : split(":", m)[1]], [local.service_account_emails["scheduler"], local.service_account_emails["operator"]])}',
  );
});

test('resync takes its ingress from a validated variable', () => {
  expect(block(functions()['resync'], 'service_config')['ingress_settings']).toBe('${var.resync_ingress}');
  expect(String(block(tf.variables['resync_ingress'], 'validation')['condition'])).toContain(
    '["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"]',
  );
});
