import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDirect } from '../../shared/render/render-instance.js';
import { nameOf } from '../fixtures/instances.js';
import { testPlanSettings } from '../../dev/fixtures/settings.js';
import { loadModule, TERRAFORM_DIR, type TerraformModule } from '../../dev/terraform/load-terraform.js';
import {
  gcloudStandIn,
  GcloudError,
  parsePrintIdentityToken,
  type Gcloud,
} from '../../dev/harness/cloud-run-front/gcloud.js';
import { startCloudRunFront } from '../../dev/harness/cloud-run-front/index.js';
import { AUDIENCE, PROJECT, SCHEDULER, startRig, type SyncRig } from './support/sync-rig.js';

/**
 * A person on call runs the commands of docs/operations.md to call resync, end to end: gcloud (the stand-in, which
 * mints tokens as gcloud does for each kind of account) → the local Cloud Run front → resync on the real Functions
 * Framework, with
 * the grants, invokers and allowlist Terraform makes for `resync_operators = ["user:<person>"]`, read from the module.
 */
const PERSON = 'oncall@example.com';
const OPERATIONS = readFileSync(fileURLToPath(new URL('../../docs/operations.md', import.meta.url)), 'utf8');
const NAME_PREFIX = 'memorystore-egress-sync';

/** What the module grants around resync for one person in resync_operators, read from its HCL. */
interface Deployed {
  readonly operator: string | undefined;
  /** The module has the `resync_operator` output docs/operations.md reads. */
  readonly operatorOutput: boolean;
  readonly tokenCreators: Record<string, string[]>;
  readonly invokers: string[];
  readonly allowlist: string[];
}

function deployedFor(tf: TerraformModule): Deployed {
  const ids = tf.locals['service_account_ids'] as Record<string, string>;
  // `${substr(var.name_prefix, 0, N)}-operator`, evaluated for the default prefix.
  const id = /^\$\{substr\(var\.name_prefix, 0, (\d+)\)\}(-\w+)$/.exec(ids['operator'] ?? '');
  const operator = id ? `${NAME_PREFIX.slice(0, Number(id[1]))}${id[2]}@${PROJECT}.iam.gserviceaccount.com` : undefined;
  const impersonate = tf.resources['google_service_account_iam_member']?.['operators_impersonate'];
  const mayImpersonate =
    operator !== undefined &&
    impersonate?.['role'] === 'roles/iam.serviceAccountTokenCreator' &&
    impersonate['for_each'] === '${toset(var.resync_operators)}' &&
    impersonate['service_account_id'] === '${local.operator_account_id}';
  const invokes = String(tf.resources['google_cloud_run_service_iam_member']?.['resync_invokers']?.['for_each']);
  const allowed = String(tf.locals['resync_principals']);
  const operatorIf = (wired: boolean): string[] => (operator && wired ? [operator] : []);
  return {
    operator,
    operatorOutput: tf.outputs['resync_operator'] !== undefined,
    tokenCreators: mayImpersonate ? { [operator]: [PERSON] } : {},
    invokers: [SCHEDULER, ...operatorIf(invokes.includes('operator = local.service_account_members["operator"]'))],
    allowlist: [SCHEDULER, ...operatorIf(allowed.includes('local.service_account_emails["operator"]'))],
  };
}

/** The bash block of docs/operations.md that calls resync: its lines, in order. */
function documentedCommands(): string[] {
  const block = [...OPERATIONS.matchAll(/```bash\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((text) => text.includes('TOKEN=$(gcloud auth print-identity-token'));
  if (!block) throw new Error('docs/operations.md documents no command that mints the token for resync');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

let rig: SyncRig;
let deployed: Deployed;
let gcloud: Gcloud;
beforeAll(async () => {
  deployed = deployedFor(await loadModule(TERRAFORM_DIR));
  rig = await startRig({
    namespace: 'e2e-operator',
    invokers: deployed.invokers,
    // One orphan and nothing else managed: the prune guard would refuse its deletion (409) even in a dry run.
    env: { RESYNC_ALLOWED_PRINCIPALS: deployed.allowlist.join(','), MAX_PRUNE_FRACTION: '1' },
  });
  gcloud = gcloudStandIn(rig.issuer, deployed.tokenCreators);
  const settings = testPlanSettings({ ISTIO_NAMESPACE: rig.namespace, OWNER_ID: 'e2e', SYNC_MODE: 'direct' });
  for (const object of renderDirect(
    nameOf('operator-orphan'),
    [{ role: 'primary', address: '10.51.0.1', port: 6379 }],
    settings,
  ))
    await rig.cluster.create(object);
}, 120_000);
afterAll(async () => rig?.stop());

/** The value of one `NAME=$(...)` line: `terraform output` answered from the deployment, gcloud by its stand-in. */
async function evaluate(command: string, variables: Record<string, string>): Promise<string> {
  const outputs: Record<string, string | undefined> = {
    resync_url: AUDIENCE,
    resync_operator: deployed.operatorOutput ? deployed.operator : undefined,
  };
  const output = /^terraform output -raw (\w+)$/.exec(command);
  if (!output) return gcloud.printIdentityToken(parsePrintIdentityToken(command, PERSON, variables));
  const value = outputs[output[1]!];
  if (value === undefined) throw new Error(`terraform output: the module has no output ${output[1]}`);
  return value;
}

/** Runs the lines of docs/operations.md as a shell would, up to its first call of resync. */
async function runDocumented(): Promise<{ status: number; body: Record<string, unknown> }> {
  const variables: Record<string, string> = {};
  for (const line of documentedCommands()) {
    const assignment = /^(\w+)=\$\((.*)\)$/.exec(line);
    if (assignment) {
      variables[assignment[1]!] = await evaluate(assignment[2]!, variables);
      continue;
    }
    // The first call: curl -X POST -H "Authorization: Bearer $TOKEN" "$URL?dryRun=true"
    const curl = /^curl -X POST -H "Authorization: Bearer \$TOKEN" "\$URL(\?[^"]*)"$/.exec(line);
    if (!curl) throw new Error(`a line the test does not run: ${line}`);
    const response = await fetch(`${rig.resyncUrl}${curl[1]!}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${variables['TOKEN']}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  throw new Error('docs/operations.md calls resync nowhere');
}

test('a person in resync_operators reaches resync with the commands of docs/operations.md, as the operator account', async () => {
  const result = await runDocumented();
  expect(result).toMatchObject({ status: 200, body: { dry_run: true } });
  const planned = (result.body['records'] as Array<{ action: string; trigger: unknown }>).find(
    (r) => r.action === 'delete',
  );
  expect(planned?.trigger).toEqual({ kind: 'resync', principal: deployed.operator, scheduled: false });
});

test("a person's own token: gcloud refuses --audiences; without it, Cloud Run admits it and resync refuses it", async () => {
  await expect(gcloud.printIdentityToken({ account: PERSON, audiences: AUDIENCE })).rejects.toThrow(
    new GcloudError(
      'ERROR: (gcloud.auth.print-identity-token) Invalid account type for `--audiences`. Requires valid service account.',
    ),
  );
  const own = await gcloud.printIdentityToken({ account: PERSON });
  // As deployed, the person holds no run.invoker: the front refuses.
  expect(
    (await fetch(`${rig.resyncUrl}?dryRun=true`, { method: 'POST', headers: { authorization: `Bearer ${own}` } }))
      .status,
  ).toBe(403);
  // As the module deployed it before (the person a direct invoker, `user:` in resync_invokers): the front admits
  // gcloud's audience, and the function refuses it.
  const before = await startCloudRunFront({
    target: rig.functionUrl,
    serviceUrl: AUDIENCE,
    invokers: [PERSON],
    certsUrl: rig.issuer.certsUrl,
  });
  try {
    const response = await fetch(`${before.url}?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${own}` },
    });
    expect([response.status, before.decisions.map((d) => d.status)]).toEqual([401, ['forwarded']]);
    expect(await response.json()).toEqual({ error: expect.stringContaining('wrong audience') });
  } finally {
    await before.stop();
  }
});

test('only the listed may impersonate the operator account, and its token names it only with --include-email', async () => {
  await expect(
    gcloud.printIdentityToken({
      account: 'someone-else@example.com',
      impersonateServiceAccount: deployed.operator!,
      audiences: AUDIENCE,
    }),
  ).rejects.toThrow(GcloudError);
  const anonymous = await gcloud.printIdentityToken({
    account: PERSON,
    impersonateServiceAccount: deployed.operator!,
    audiences: AUDIENCE,
  });
  const response = await fetch(`${rig.resyncUrl}?dryRun=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${anonymous}` },
  });
  // No email claim: refused (the local front names principals by email; the real one would admit the account by its
  // subject, and the function refuse a token with no verified email, also 403).
  expect(response.status).toBe(403);
});
