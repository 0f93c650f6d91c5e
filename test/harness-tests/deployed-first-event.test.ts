import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CloudRedisClient } from '@google-cloud/redis';
import { DEPLOYED_SOURCE, serveFunction } from '../../dev/harness/functions-framework/serve-function.js';
import { localRedisClient, startFakeMemorystore, type FakeMemorystore } from '../../dev/harness/memorystore/index.js';
import { startMetadataServer, type MetadataServer } from '../../dev/harness/metadata-server.js';
import { REPO_ROOT } from '../../dev/harness/process.js';
import { functionEnvironment } from '../../dev/rig/function-environment.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { creationEvent } from '../../scripts/bench/first-event-phase.js';
import { sharedStack, SYNC_USER } from '../integration/shared-stack.js';

/**
 * The first event after a cold start, as deployed: the real Functions Framework serves package.json's `main` (the
 * bundle gcp-build writes) on the GKE path (server, CA, the token from a metadata server), and one event creates an
 * instance's objects in the real apiserver. Every file the process loads is logged by a module hook: each one loaded
 * is resolution, a read and a compile that the first event pays for (npm run bench:first-event). Before the bundle,
 * start-up and that event loaded 83 of the project's modules, undici's whole index (109 files), google-auth-library
 * with gaxios and node-fetch, and zod's 70 files.
 */
const PROJECT = 'test-project';
const REGION = 'us-central1';
const NAMESPACE = 'deployed-first-event';

// Runs in the function's process (NODE_OPTIONS=--import): synchronous hooks see both import and require().
const HOOK = `
import { registerHooks } from 'node:module';
import { appendFileSync } from 'node:fs';
registerHooks({
  load(url, context, next) {
    if (url.startsWith('file:')) appendFileSync(process.env.MODULE_LOG, url + '\\n');
    return next(url, context);
  },
});
// Node's own modules load from its binary, with no hook: its list of them, as the process ends.
process.on('exit', () => appendFileSync(process.env.MODULE_LOG + '.builtin', process.moduleLoadList.join('\\n')));
`;

interface Kubeconfig {
  clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
  users: Array<{ user: { token: string } }>;
}

let dir: string;
let metadata: MetadataServer;
let memorystore: FakeMemorystore;
let redis: CloudRedisClient;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deployed-first-event-'));
  writeFileSync(join(dir, 'hook.mjs'), HOOK);
  const stack = sharedStack();
  const kubeconfig = parse(readFileSync(stack.syncUserKubeconfig, 'utf8')) as Kubeconfig;
  metadata = await startMetadataServer(kubeconfig.users[0]!.user.token, PROJECT);
  memorystore = await startFakeMemorystore({ projectId: PROJECT, settleDelayMs: 1 });
  redis = localRedisClient(memorystore.port, PROJECT);
  await prepareNamespace(stack.adminKubeconfig, { namespace: NAMESPACE, user: SYNC_USER, ownerId: NAMESPACE });
}, 60_000);
afterAll(async () => {
  await redis?.close();
  await memorystore?.stop();
  await metadata?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function createInstance(id: string): Promise<string> {
  const [operation] = await redis.createInstance({
    parent: `projects/${PROJECT}/locations/${REGION}`,
    instanceId: id,
    instance: { tier: 'BASIC', memorySizeGb: 1 },
  });
  await operation.promise();
  return `projects/${PROJECT}/locations/${REGION}/instances/${id}`;
}

function deployedEnv(moduleLog: string): Record<string, string> {
  const stack = sharedStack();
  const cluster = (parse(readFileSync(stack.syncUserKubeconfig, 'utf8')) as Kubeconfig).clusters[0]!.cluster;
  return {
    ...functionEnvironment({
      project: PROJECT,
      memorystoreEndpoint: memorystore.endpoint,
      kubeconfig: stack.syncUserKubeconfig,
      gke: { server: cluster.server, caCertBase64: cluster['certificate-authority-data'], metadataHost: metadata.host },
      namespace: NAMESPACE,
      ownerId: NAMESPACE,
      resync: { audience: 'https://resync-test-uc.a.run.app', principals: ['operator@example.com'] },
    }),
    NODE_OPTIONS: `--import=${join(dir, 'hook.mjs')}`,
    MODULE_LOG: moduleLog,
  };
}

const packageOf = (url: string): string | undefined =>
  /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(url.slice(url.lastIndexOf('node_modules/')))?.[1];

test('the deployed bundle serves the first event in the real Functions Framework, loading a few files of its own', async () => {
  const instance = await createInstance('first-event');
  const moduleLog = join(dir, 'modules.log');
  const fn = await serveFunction('syncOnAuditLog', deployedEnv(moduleLog));
  try {
    const { headers, body } = creationEvent(instance, 'deployed-first-event');
    const response = await fetch(fn.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    expect(response.status).toBe(204);
  } finally {
    await fn.stop();
  }
  // It ran for real: the instance's objects were written to the apiserver.
  const applied = fn.lines
    .map((line) => line['record'] as { action?: string; outcome?: string; object?: { kind: string } } | undefined)
    .filter((record) => record?.action === 'create' && record.outcome === 'applied');
  expect(applied.map((record) => record?.object?.kind)).toEqual(
    expect.arrayContaining(['ServiceEntry', 'Gateway', 'DestinationRule', 'VirtualService']),
  );
  const loaded = readFileSync(moduleLog, 'utf8').split('\n').filter(Boolean);
  // Bundled, or not loaded at all: no file of theirs is resolved, read and compiled on its own.
  const packages = new Set(loaded.map(packageOf));
  const inside = ['undici', 'zod', 'google-auth-library', 'gaxios', 'node-fetch', 'gcp-metadata'];
  expect(inside.filter((name) => packages.has(name))).toEqual([]);
  // The project's code is the bundle's files (start-up and a chunk per lazily imported adapter), not its modules.
  const own = loaded.filter((url) => !url.includes('/node_modules/'));
  expect(own.length).toBeLessThanOrEqual(12);
  expect(own.filter((url) => !url.includes('/build/bundle/'))).toEqual([]);
  expect(DEPLOYED_SOURCE).toBe(`${REPO_ROOT}build/bundle/index.js`);
  // Nor Node's own undici (fetch, WebSocket): an ES module import of node:http loads it, about 20 ms (google-rest.ts).
  const builtin = readFileSync(`${moduleLog}.builtin`, 'utf8').split('\n');
  expect(builtin).toContain('NativeModule http');
  expect(builtin.filter((name) => name.includes('undici'))).toEqual([]);
}, 60_000);
