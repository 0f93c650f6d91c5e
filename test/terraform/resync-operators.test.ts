import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  block,
  EXAMPLE_DIR,
  loadModule,
  resource,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/**
 * Humans call resync through an operator service account they may impersonate: gcloud mints identity tokens with a
 * chosen audience only for service accounts, so a user's own token can never carry resync's URL.
 */
let tf: TerraformModule;
let example: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
  example = await loadModule(EXAMPLE_DIR);
});

const OPERATIONS = readFileSync(fileURLToPath(new URL('../../docs/operations.md', import.meta.url)), 'utf8');

test('the listed humans may mint tokens as the operator account, and only as it', () => {
  expect(resource(tf, 'google_service_account_iam_member', 'operators_impersonate')).toMatchObject({
    for_each: '${toset(var.resync_operators)}',
    service_account_id: '${local.operator_account_id}',
    role: 'roles/iam.serviceAccountTokenCreator',
    member: '${each.value}',
  });
  expect((tf.locals['service_account_ids'] as Record<string, string>)['operator']).toBe(
    '${substr(var.name_prefix, 0, 20)}-operator',
  );
});

test('the operator account may invoke resync and is in the function allowlist', () => {
  const invokers = String(resource(tf, 'google_cloud_run_service_iam_member', 'resync_invokers')['for_each']);
  expect(invokers).toContain('operator = local.service_account_members["operator"]');
  expect(String(tf.locals['resync_principals'])).toContain('local.service_account_emails["operator"]');
});

test('user: members are refused as direct invokers, with the variable that works named', () => {
  const validation = block(tf.variables['resync_invokers'], 'validation');
  expect(String(validation['condition'])).toContain('^serviceAccount:');
  expect(String(validation['error_message'])).toContain('resync_operators');
  const operators = block(tf.variables['resync_operators'], 'validation');
  expect(String(operators['condition'])).toContain('(user|group|serviceAccount)');
});

test('the example passes its humans as operators, and docs/operations.md documents the impersonating command', () => {
  expect(example.modules['memorystore_egress_sync']!['resync_operators']).toBe('${var.resync_operators}');
  expect(OPERATIONS).toContain('--impersonate-service-account="$OPERATOR_SA" --audiences="$URL" --include-email');
  expect(OPERATIONS).toContain('terraform output -raw resync_operator');
  expect(tf.outputs['resync_operator']).toBeDefined();
});
