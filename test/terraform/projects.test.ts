import { join } from 'node:path';
import {
  loadModule,
  resource,
  resourcesOf,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/**
 * Memorystore in several projects (memorystore_projects), or every listed project under a folder or organization:
 * where the sinks and the viewer grants go. The plans themselves are checked by .ci/terraform-checks.sh
 * (terraform/examples/folder).
 */
let tf: TerraformModule;
let folderExample: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  folderExample = await loadModule(join(TERRAFORM_DIR, 'examples/folder'));
});

test('the functions sync the listed projects, or project_id alone when none is listed', () => {
  expect(tf.locals['activity_log']).toBe('logs/cloudaudit.googleapis.com%2Factivity');
  expect(String(tf.locals['activity_logs'])).toContain('logName=\\"projects/${p}/${local.activity_log}\\"');
  expect(tf.locals['memorystore_projects']).toBe(
    '${length(var.memorystore_projects) > 0 ? distinct(var.memorystore_projects) : [var.project_id]}',
  );
  expect((tf.locals['function_environment'] as Record<string, unknown>)['MEMORYSTORE_PROJECTS']).toBe(
    '${local.inventory_scope != "" ? "" : join(",", local.memorystore_projects)}',
  );
});

test('a folder or organization with no project listed: every project under it, found with Cloud Asset Inventory', () => {
  const environment = tf.locals['function_environment'] as Record<string, unknown>;
  expect(environment['MEMORYSTORE_SCOPE']).toBe('${local.inventory_scope}');
  const scope = String(tf.locals['inventory_scope']);
  expect(scope).toContain('local.memorystore_scope != "project" && length(var.memorystore_projects) == 0');
  expect(scope).toContain('var.memorystore_folder : var.memorystore_organization');
  // Only the resync searches the inventory: its identity alone gets the role, at the scope alone.
  expect(String(tf.locals['inventory_grants'])).toContain('"resync/roles/cloudasset.viewer"');
  expect(String(tf.locals['inventory_grants'])).toContain('local.function_identities["resync"]');
  expect(String(tf.locals['inventory_grants'])).not.toContain('["sync"]');
  expect(tf.locals['inventory_apis']).toBe('${local.inventory_scope != "" ? ["cloudasset.googleapis.com"] : []}');
  // Every project's Admin Activity entries but project_id's, which its own sink routes.
  const filter = String(tf.locals['scope_filter']);
  expect(filter).toContain('logName:\\"/${local.activity_log}\\"');
  expect(filter).toContain('NOT logName=\\"projects/${var.project_id}/${local.activity_log}\\"');
  expect(tf.locals['aggregated_filter']).toBe(
    '${local.inventory_scope != "" ? local.scope_filter : local.other_projects_filter}',
  );
});

test("each other project gets a sink of its own Admin Activity entries, unless a folder's or organization's does", () => {
  const sink = resource(tf, 'google_logging_project_sink', 'memorystore_projects');
  expect(sink).toMatchObject({
    for_each: '${local.memorystore_scope == "project" ? toset(local.other_memorystore_projects) : toset([])}',
    project: '${each.value}',
    destination: 'pubsub.googleapis.com/${google_pubsub_topic.events.id}',
    unique_writer_identity: true,
  });
  expect(String(sink['filter'])).toContain('${local.activity_logs[each.value]} AND');
  expect(String(sink['filter'])).toContain('local.product_clauses');
  expect(tf.locals['other_memorystore_projects']).toBe(
    '${[for p in local.memorystore_projects : p if p != var.project_id]}',
  );
});

test.each([
  ['google_logging_folder_sink', 'folder', '${var.memorystore_folder}'],
  ['google_logging_organization_sink', 'org_id', '${trimprefix(var.memorystore_organization, "organizations/")}'],
])('%s: aggregated over the projects under it, routing only the listed ones to the events topic', (type, key, at) => {
  const sink = resource(tf, type, 'memorystore');
  expect(sink).toMatchObject({
    [key]: at,
    include_children: true,
    destination: 'pubsub.googleapis.com/${google_pubsub_topic.events.id}',
    filter: '${local.aggregated_filter}',
  });
  const filter = String(tf.locals['other_projects_filter']);
  expect(filter).toContain('[for p in local.other_memorystore_projects : local.activity_logs[p]]');
  expect(filter).toContain('local.product_clauses');
});

test("every sink's writer may publish to the events topic, and nothing else", () => {
  const publishers = resource(tf, 'google_pubsub_topic_iam_member', 'memorystore_sink_publishers');
  expect(publishers).toMatchObject({
    topic: '${google_pubsub_topic.events.name}',
    role: 'roles/pubsub.publisher',
    member: '${each.value}',
  });
  const sources = String(publishers['for_each']);
  for (const sink of [
    'google_logging_project_sink.memorystore_projects',
    'google_logging_folder_sink.memorystore',
    'google_logging_organization_sink.memorystore',
  ])
    expect(sources).toContain(`in ${sink} : `);
  expect(sources.match(/sink\.writer_identity/g)).toHaveLength(3);
});

test('the product viewers go to each listed project, or once to the folder or organization chosen', () => {
  expect(tf.locals['viewer_projects']).toBe(
    '${local.memorystore_scope == "project" ? local.memorystore_projects : []}',
  );
  expect(String(tf.locals['function_grants'])).toContain(
    'setproduct(keys(local.function_identities), local.function_roles, local.viewer_projects)',
  );
  expect(resource(tf, 'google_folder_iam_member', 'function_roles')).toMatchObject({
    for_each: '${local.memorystore_scope == "folder" ? merge(local.scope_grants, local.inventory_grants) : {}}',
    folder: '${var.memorystore_folder}',
  });
  expect(resource(tf, 'google_organization_iam_member', 'function_roles')).toMatchObject({
    for_each: '${local.memorystore_scope == "organization" ? merge(local.scope_grants, local.inventory_grants) : {}}',
  });
  // Only the product viewers are granted that widely: the cluster viewer stays on the synced clusters' projects.
  expect(tf.locals['identity_roles']).toBe('${setproduct(keys(local.function_identities), local.function_roles)}');
  expect(String(tf.locals['scope_grants'])).toContain('for pair in local.identity_roles');
  expect(Object.keys(resourcesOf(tf, 'google_folder_iam_member'))).toEqual(['function_roles']);
  expect(Object.keys(resourcesOf(tf, 'google_organization_iam_member'))).toEqual(['function_roles']);
});

test('the folder example deploys Memorystore of the listed projects under a folder', () => {
  expect(folderExample.modules['memorystore_egress_sync']).toMatchObject({
    source: '../..',
    memorystore_projects: '${var.memorystore_projects}',
    memorystore_folder: '${var.memorystore_folder}',
  });
});
