import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { objectName } from '../../shared/render/names.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import { nameOf } from '../fixtures/instances.js';
import { renderDirect } from '../../shared/render/render-instance.js';
import { testPlanSettings } from '../../dev/fixtures/settings.js';
import { resetRig } from './support/fresh-state.js';
import { SCHEDULER, startRig, type SyncRig } from './support/sync-rig.js';

/**
 * `resync` over the real stack: pruning, ownership, dry runs, the safety rules and the report. Every test starts from
 * an empty namespace and an empty Memorystore API, and makes the instances, orphans and foreign objects it needs.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-resync' });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

type ReportRecord = {
  action: string;
  outcome: string;
  object: { kind: string; name: string };
  instance: { name: string } | null;
  dry_run: boolean;
  trigger: Record<string, unknown>;
};
const recordsOf = (body: Record<string, unknown>) => body['records'] as ReportRecord[];

/**
 * Objects an earlier deployment left for an instance that no longer exists, as the sync user would have written them.
 */
async function plantOrphan(id: string): Promise<string> {
  const name = nameOf(id);
  const config = testPlanSettings({ ISTIO_NAMESPACE: rig.namespace, OWNER_ID: 'e2e', SYNC_MODE: 'direct' });
  for (const object of renderDirect(name, [{ role: 'primary', address: '10.50.0.1', port: 6379 }], config))
    await rig.cluster.create(object);
  return name.full;
}

/** An instance whose ServiceEntry name another team's object already holds: a standing conflict. */
async function plantForeignClash(id: string): Promise<string> {
  const foreignName = objectName(nameOf(id));
  await rig.cluster.create({
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: foreignName, namespace: rig.namespace, labels: { team: 'payments' } },
    spec: {
      hosts: ['hand-made.example.com'],
      ports: [{ number: 6379, name: 'tcp', protocol: 'TCP' }],
      resolution: 'DNS',
      location: 'MESH_EXTERNAL',
    },
  });
  await rig.createInstance(id);
  return foreignName;
}

/**
 * One live instance and two orphans: deleting both is 2/3 of the managed instances, above the default
 * MAX_PRUNE_FRACTION of 0.5.
 */
async function keptAndTwoOrphans(): Promise<void> {
  await rig.createInstance('kept-cache');
  await plantOrphan('vanished-cache');
  await plantOrphan('vanished-too');
}

test('a dry run returns the plan and writes nothing', async () => {
  await rig.createInstance('kept-cache');
  const orphan = await plantOrphan('vanished-cache');
  const before = await rig.cluster.istioObjects();
  const { status, body } = await rig.resync('?dryRun=true');
  expect(status).toBe(200);
  expect(body['dry_run']).toBe(true);
  const planned = recordsOf(body).filter((r) => r.action === 'delete');
  expect(planned.map((r) => r.instance?.name)).toEqual([orphan]);
  expect(planned.every((r) => r.outcome === 'planned' && r.dry_run)).toBe(true);
  expect([...(await rig.cluster.istioObjects()).keys()]).toEqual([...before.keys()]);
});

test('the prune guard refuses a plan that deletes too large a share, until forced', async () => {
  await keptAndTwoOrphans();
  const refused = await rig.resync();
  expect(refused.status).toBe(409);
  expect(refused.body['refused']).toMatch(/MAX_PRUNE_FRACTION/);
  expect((await rig.cluster.istioObjects()).has(`ServiceEntry/${objectName(nameOf('vanished-too'))}`)).toBe(true);
});

test('a forced resync prunes orphans, keeps live instances, and reports the caller', async () => {
  await keptAndTwoOrphans();
  const { status, body } = await rig.resync('?force=true', SCHEDULER);
  expect(status).toBe(200);
  const objects = await rig.cluster.istioObjects();
  expect(objects.has(`ServiceEntry/${objectName(nameOf('vanished-cache'))}`)).toBe(false);
  expect(objects.has(`ServiceEntry/${objectName(nameOf('kept-cache'))}`)).toBe(true);
  const deletes = recordsOf(body).filter((r) => r.action === 'delete');
  expect(deletes.map((r) => r.instance?.name).sort()).toEqual([
    nameOf('vanished-cache').full,
    nameOf('vanished-too').full,
  ]);
  expect(deletes[0]?.trigger).toEqual({ kind: 'resync', principal: SCHEDULER, scheduled: true });
});

test('a foreign object with a name we need is left untouched and reported as a conflict', async () => {
  const foreignName = await plantForeignClash('clash-cache');
  const { body } = await rig.resync();
  const conflict = recordsOf(body).find((r) => r.action === 'conflict');
  expect(conflict).toMatchObject({ outcome: 'conflict', object: { kind: 'ServiceEntry', name: foreignName } });
  const live = (await rig.cluster.istioObjects()).get(`ServiceEntry/${foreignName}`);
  expect(live?.spec['hosts']).toEqual(['hand-made.example.com']);
  expect(live?.metadata.labels).toEqual({ team: 'payments' });
});

test('a region reported unreachable is never pruned', async () => {
  const full = await rig.createInstance('eu-cache', {}, 'europe-west1');
  rig.memorystore.setUnreachable(['europe-west1']);
  try {
    const { status, body } = await rig.resync('?force=true');
    expect(status).toBe(200);
    expect(recordsOf(body).filter((r) => r.instance?.name === full && r.action === 'delete')).toEqual([]);
    expect((await rig.cluster.istioObjects()).has(`ServiceEntry/${objectName(parseInstanceName(full)!)}`)).toBe(true);
  } finally {
    rig.memorystore.setUnreachable([]);
  }
});

test('a second resync changes nothing', async () => {
  // Something for the first to do (an orphan), something it must leave (a conflict), and something it keeps.
  await rig.createInstance('kept-cache');
  await plantForeignClash('clash-cache');
  await plantOrphan('vanished-cache');
  expect((await rig.resync('?force=true')).status).toBe(200);
  const { body } = await rig.resync();
  expect(recordsOf(body).filter((r) => ['create', 'update', 'delete'].includes(r.action))).toEqual([]);
});

describe('the operator command line, with the same configuration as the functions', () => {
  // Asynchronously: the local Memorystore API runs in this process and must keep answering while the command runs.
  const cli = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [fileURLToPath(new URL('../../build/bin/memorystore-egress-sync.js', import.meta.url)), ...args],
        { env: process.env, timeout: 30_000 },
        (error, stdout, stderr) => {
          resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
      child.stdin?.end();
    });

  test('plan prints the change as a diff and writes nothing; apply makes it', async () => {
    await rig.createInstance('kept-cache');
    await plantForeignClash('clash-cache');
    await plantOrphan('cli-orphan');
    const key = `ServiceEntry/${objectName(nameOf('cli-orphan'))}`;
    const plan = await cli('plan');
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(new RegExp(`^# delete ${key.replace('/', `/${rig.namespace}/`)}`, 'm'));
    expect(plan.stdout).toContain('-    - 10.50.0.1/32');
    expect((await rig.cluster.istioObjects()).has(key)).toBe(true);
    const apply = await cli('apply', '--json');
    expect(apply.status).toBe(0);
    expect(JSON.parse(apply.stdout)).toMatchObject({ dry_run: false, summary: { delete: 1 } });
    expect((await rig.cluster.istioObjects()).has(key)).toBe(false);
    // What is left is the standing conflict: reported, never a write.
    const after = (await cli('plan')).stdout;
    expect(after).not.toMatch(/^# (create|update|delete) /m);
    expect(after).toMatch(/^# conflict /m);
  });

  test('render prints the objects of one instance from the API, without touching the cluster; flags win over the environment', async () => {
    await rig.createInstance('kept-cache');
    const before = await rig.cluster.istioObjects();
    const rendered = await cli(
      'render',
      'kept-cache',
      '--location',
      'us-central1',
      '--kubeconfig',
      '/nowhere/at/all',
      '-o',
      'yaml',
    );
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    const parsed = parseYaml(rendered.stdout) as {
      instance: string;
      objects: Array<{ kind: string }>;
      servicePorts: unknown[];
    };
    expect(parsed.instance).toBe('projects/test-project/locations/us-central1/instances/kept-cache');
    expect(parsed.objects.map((o) => o.kind).sort()).toEqual([
      'DestinationRule',
      'Gateway',
      'ServiceEntry',
      'VirtualService',
    ]);
    expect(parsed.servicePorts).toHaveLength(1);
    expect(await rig.cluster.istioObjects()).toEqual(before);
    const missing = await cli('render', 'no-such-cache', '--location', 'us-central1');
    expect(missing).toMatchObject({
      status: 1,
      stderr: expect.stringContaining(
        'the Memorystore API has no instance projects/test-project/locations/us-central1/instances/no-such-cache',
      ),
    });
  });

  test('explain shows the dry-run plan of one instance and, link by link in the live objects, where its connections go', async () => {
    await rig.createInstance('kept-cache');
    const explained = await cli('explain', 'kept-cache', '--location', 'us-central1');
    expect(explained.stderr).toBe('');
    expect(explained.status).toBe(0);
    expect(explained.stdout).toContain('would write now:\n  nothing: the live objects are as they should be');
    expect(explained.stdout).toMatch(/^pod → [\d.]+:6379$/m);
    expect(explained.stdout).toMatch(/^ {2}✓ Gateway \S+ listens on \d+ for kept-cache\.us-central1\.test-project\./m);
    expect(explained.stdout).toMatch(
      /^ {2}✓ egress gateway: routes port \d+ to kept-cache\.us-central1\.test-project\.\S+:6379$/m,
    );
    expect(explained.stdout).not.toContain('✗');
  });

  test('a missing kubeconfig is one sentence naming the flag and its setting, not a stack', async () => {
    const result = await cli('plan', '--kubeconfig', '/nowhere/kubeconfig');
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'configuration error:\n  --kubeconfig (KUBECONFIG): expected a kubeconfig file, got "/nowhere/kubeconfig": no such file',
    );
  });

  test('a bad configuration names the variable', () => {
    const result = spawnSync(
      process.execPath,
      [fileURLToPath(new URL('../../build/bin/memorystore-egress-sync.js', import.meta.url)), 'plan'],
      { env: { ...process.env, SYNC_MODE: 'sideways' }, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/SYNC_MODE: expected `egress-gateway`, `direct` or `ambient`/);
  });
});
