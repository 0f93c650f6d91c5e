import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  block,
  loadModule,
  resource,
  resourcesOf,
  TERRAFORM_DIR,
  type Block,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/**
 * What a first `terraform apply` in a new project of a new organisation needs: a build identity of its own, the
 * grants Google's services need before the resources that use them, names and locations that follow the deployment's
 * own settings, and nothing written while planning.
 */
let tf: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
});

const CHECKS = readFileSync(fileURLToPath(new URL('../../.ci/terraform-checks.sh', import.meta.url)), 'utf8');
const functions = (): Block[] => Object.values(resourcesOf(tf, 'google_cloudfunctions2_function'));
const dependsOn = (b: Block): string[] => ((b['depends_on'] as string[] | undefined) ?? []).map(String);

describe('build identity', () => {
  test('the module makes a build account unless one is given, and both functions build as it', () => {
    expect(resource(tf, 'google_service_account', 'build')['count']).toBe(
      '${var.build_service_account == null ? 1 : 0}',
    );
    expect(tf.locals['build_service_account']).toBe(
      '${coalesce(var.build_service_account, try(google_service_account.build[0].id, null))}',
    );
    for (const fn of functions()) {
      const build = block(fn, 'build_config');
      expect(build['service_account']).toBe('${local.build_service_account}');
      expect(build['docker_repository']).toBe('${google_artifact_registry_repository.functions.id}');
      // The build must not start before its rights are granted.
      expect(dependsOn(fn)).toEqual(
        expect.arrayContaining([
          '${google_project_iam_member.build_log_writer}',
          '${google_artifact_registry_repository_iam_member.build_writer}',
          '${google_storage_bucket_iam_member.build_reads_source}',
          '${time_sleep.build_grant_propagation}',
        ]),
      );
    }
    expect(tf.files['build.tf']).toContain('https://cloud.google.com/functions/docs/securing/build-custom-sa');
    expect(resource(tf, 'time_sleep', 'build_grant_propagation')['create_duration']).toBe('90s');
  });

  test('the build account gets only what a build uses: log writer, writer on the one repository, read on the source', () => {
    expect(resource(tf, 'google_project_iam_member', 'build_log_writer')).toMatchObject({
      role: 'roles/logging.logWriter',
      member: '${local.build_member}',
    });
    expect(resource(tf, 'google_artifact_registry_repository_iam_member', 'build_writer')).toMatchObject({
      repository: '${google_artifact_registry_repository.functions.name}',
      location: '${google_artifact_registry_repository.functions.location}',
      role: 'roles/artifactregistry.writer',
      member: '${local.build_member}',
    });
    expect(resource(tf, 'google_storage_bucket_iam_member', 'build_reads_source')).toMatchObject({
      bucket: '${google_storage_bucket.source.name}',
      role: 'roles/storage.objectViewer',
      member: '${local.build_member}',
    });
    expect(resource(tf, 'google_artifact_registry_repository', 'functions')).toMatchObject({
      format: 'DOCKER',
      location: '${var.region}',
    });
  });

  test('CI plans the example in a new organisation, where a function without a build account fails', () => {
    expect(CHECKS).toContain('SCHEMA_PROVIDER_NEW_ORGANISATION=1');
    expect(CHECKS).toMatch(/plan_fails_with .*"a function built by the default build account/);
  });
});

describe('the rest of the first day', () => {
  test('with kms_key_name, the Pub/Sub service agent may use the key, before any topic is made with it', () => {
    expect(resource(tf, 'google_kms_crypto_key_iam_member', 'pubsub_agent_uses_key')).toMatchObject({
      count: '${var.kms_key_name == null ? 0 : 1}',
      crypto_key_id: '${var.kms_key_name}',
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: '${local.pubsub_agent}',
    });
    for (const [name, topic] of Object.entries(resourcesOf(tf, 'google_pubsub_topic'))) {
      expect([name, topic['kms_key_name']]).toEqual([name, '${var.kms_key_name}']);
      expect([name, dependsOn(topic)]).toEqual([
        name,
        expect.arrayContaining(['${google_kms_crypto_key_iam_member.pubsub_agent_uses_key}']),
      ]);
    }
  });

  test('the BigQuery subscription is made only after its grant has had time to propagate', () => {
    const wait = resource(tf, 'time_sleep', 'bigquery_grant_propagation');
    expect(wait['create_duration']).toBe('90s');
    expect(dependsOn(wait)).toEqual(['${google_bigquery_dataset_iam_member.pubsub_writer}']);
    expect(dependsOn(resource(tf, 'google_pubsub_subscription', 'audit_to_bigquery'))).toContain(
      '${time_sleep.bigquery_grant_propagation}',
    );
  });

  test('the dataset is in the functions region unless told otherwise; audit topic and dataset follow name_prefix', () => {
    expect(tf.variables['bigquery_location']!['default']).toBeNull();
    expect(resource(tf, 'google_bigquery_dataset', 'audit')['location']).toBe(
      '${coalesce(var.bigquery_location, var.region)}',
    );
    expect(tf.variables['audit_topic_name']!['default']).toBeNull();
    expect(tf.variables['bigquery_dataset_id']!['default']).toBeNull();
    expect(resource(tf, 'google_pubsub_topic', 'audit')['name']).toBe('${local.audit_topic_name}');
    expect(resource(tf, 'google_bigquery_dataset', 'audit')['dataset_id']).toBe('${local.bigquery_dataset_id}');
    expect(tf.locals['audit_topic_name']).toBe('${coalesce(var.audit_topic_name, "${var.name_prefix}-audit")}');
    expect(tf.locals['bigquery_dataset_id']).toBe(
      '${coalesce(var.bigquery_dataset_id, replace(var.name_prefix, "-", "_"))}',
    );
  });

  test('128Mi is refused: Node alone takes about 85 MiB idle', () => {
    const validation = block(tf.variables['function_memory'], 'validation');
    expect(String(validation['condition'])).not.toContain('128Mi');
    expect(String(validation['condition'])).toContain('"256Mi"');
    expect(String(validation['error_message'])).toContain('85 MiB');
    expect(Object.keys(tf.locals['heap_ceiling_mib'] as Record<string, number>)).not.toContain('128Mi');
  });

  test('the source archive is written when applying, not while planning', () => {
    expect(tf.data['archive_file']).toBeUndefined();
    expect(resource(tf, 'archive_file', 'source')['type']).toBe('zip');
    expect(resource(tf, 'google_storage_bucket_object', 'source')['source']).toBe('${archive_file.source.output_path}');
    expect(CHECKS).toContain('the plan wrote no archive');
  });

  test('every Google resource that calls an API the module enables waits for it', () => {
    const exempt = /^(google_project_service|time_sleep|archive_file)$|_iam_member$|^kubernetes_/;
    const missing = Object.entries(tf.resources)
      .filter(([type]) => !exempt.test(type))
      .flatMap(([type, byName]) => Object.entries(byName).map(([name, b]) => [`${type}.${name}`, b] as const))
      .filter(([, b]) => !dependsOn(b).includes('${google_project_service.enabled}'))
      .map(([address]) => address);
    expect(missing).toEqual([]);
  });

  test('container.clusterViewer holds only for the synced clusters (IAM condition on the cluster resource name)', () => {
    const grants = String(tf.locals['cluster_viewer_grants']);
    expect(grants).toContain('resource.name == \\"projects/${c.project}/locations/${c.location}/clusters/${c.name}\\"');
    expect(String(tf.locals['function_roles'])).not.toContain('container.clusterViewer');
    const roles = resource(tf, 'google_project_iam_member', 'function_roles');
    expect((roles['dynamic'] as Block)['condition']).toBeDefined();
  });

  test('a private endpoint in another region than the functions needs control-plane global access', () => {
    const clusters = tf.files['clusters.tf'] ?? '';
    expect(clusters).toContain('master_global_access_config[0].enabled');
    expect(clusters).toContain('local.cluster_regions[each.key] == var.region');
  });
});
