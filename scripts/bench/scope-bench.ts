/**
 * A resync of a folder scope (MEMORYSTORE_SCOPE) at an organisation's size: BENCH_SCOPE_PROJECTS projects (default
 * 500) under one folder, BENCH_SCOPE_INSTANCES Redis instances (default 20,000) spread evenly over them, in the local
 * Memorystore API with its local Cloud Asset Inventory, and one more project outside the folder. The resync function
 * runs as deployed (a fresh Functions Framework process, the deployed Node options at BENCH_MEMORY, the GKE path) in
 * `direct` mode (BENCH_SCOPE_MODE), and is called twice: from empty, then again with nothing to change (the scheduled
 * resync's usual case). For each: wall time, the function's CPU seconds and the wall they imply at the deployed CPU
 * share, inventory pages, product listings and Gets, and the process's peak RSS.
 *   npm run bench:scope          (BENCH_SCOPE_PROJECTS, BENCH_SCOPE_INSTANCES, BENCH_SCOPE_MODE, BENCH_MEMORY)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, setGlobalDispatcher } from 'undici';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTokenIssuer } from '../../dev/harness/id-tokens.js';
import { localRedisClient, startFakeMemorystore } from '../../dev/harness/memorystore/index.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { cpuShareOf, parseMemoryMiB, wallAtShare } from './cpu-share.js';
import { deployedFunctionEnv, prepareFunctionNamespace, PROJECT, SYNC_USER } from './deployed-function.js';
import { PROJECT_SOURCE, spawnFunction, type FunctionProcess } from './function-process.js';
import { gkeTarget } from './gke-target.js';
import { processCpuSeconds } from './process-cpu.js';
import { callResync, resyncFailure } from './resync-call.js';
import { REGION } from './seed-memorystore.js';

const FOLDER = 'folders/100';
const SEED_CONCURRENCY = 32;
/** The module's default resync_timeout_seconds (terraform/variables.tf). */
const RESYNC_TIMEOUT_S = 540;

const projectName = (i: number): string => `scope-project-${String(i).padStart(4, '0')}`;

interface Round {
  readonly name: string;
  readonly wallS: number;
  readonly cpuS: number;
  readonly inventoryPages: number;
  readonly listings: number;
  readonly gets: number;
  readonly peakMiB: number;
  readonly summary: Record<string, number>;
}

/** The counts the function logged of its last resync: `instances found under the scope`, and Gets of uncovered ones. */
function loggedCounts(logDir: string): { listings: number; found: number } {
  const lines = readdirSync(logDir)
    .filter((f) => f.startsWith('resync-'))
    .flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n'))
    .filter((l) => l.includes('instances found under the scope'))
    .map((l) => JSON.parse(l) as { listings: number; found: number });
  const last = lines.at(-1);
  if (!last) throw new Error('the function logged no search of the scope');
  return last;
}

async function round(
  name: string,
  fn: FunctionProcess,
  issuer: Awaited<ReturnType<typeof startTokenIssuer>>,
  counters: { searches(): number; gets(): number },
  logDir: string,
): Promise<Round> {
  const cpuBefore = processCpuSeconds(fn.pid);
  const searchesBefore = counters.searches();
  const getsBefore = counters.gets();
  const started = performance.now();
  const answer = await callResync(fn.url, issuer, AbortSignal.timeout(30 * 60_000));
  const wallS = (performance.now() - started) / 1000;
  const failure = resyncFailure(answer);
  if (failure) throw new Error(`${name}: ${failure}: ${fn.tail()}`);
  return {
    name,
    wallS,
    cpuS: processCpuSeconds(fn.pid) - cpuBefore,
    inventoryPages: counters.searches() - searchesBefore,
    listings: loggedCounts(logDir).listings,
    gets: counters.gets() - getsBefore,
    peakMiB: fn.memory().peakMiB,
    summary: answer.summary,
  };
}

// A resync of this size can take longer than fetch's default 300 s before its answer's headers; the round's own
// AbortSignal bounds it instead.
setGlobalDispatcher(new Agent({ headersTimeout: 0, bodyTimeout: 0 }));

async function main(): Promise<void> {
  const projects = Number(process.env['BENCH_SCOPE_PROJECTS'] ?? '500');
  const instances = Number(process.env['BENCH_SCOPE_INSTANCES'] ?? '20000');
  const mode = process.env['BENCH_SCOPE_MODE'] ?? 'direct';
  const memoryMiB = parseMemoryMiB(process.env['BENCH_MEMORY']);
  const share = cpuShareOf(memoryMiB);
  const workDir = mkdtempSync(join(tmpdir(), 'bench-scope-'));
  const issuer = await startTokenIssuer();
  const controlPlane = await startRigCluster({ users: [SYNC_USER] });
  const cluster = await gkeTarget(controlPlane, SYNC_USER, PROJECT);
  const names = Array.from({ length: projects }, (_, i) => projectName(i));
  const hierarchy = Object.fromEntries([
    ...names.map((p, i) => [p, { number: String(100_000 + i), folders: [FOLDER], organization: 'organizations/1' }]),
    ['outside-project', { number: '99', folders: ['folders/200'], organization: 'organizations/1' }],
  ]);
  const memorystore = await startFakeMemorystore({
    projectId: PROJECT,
    otherProjects: [...names, 'outside-project'],
    settleDelayMs: 1,
    inventory: { hierarchy, grantedScopes: [FOLDER] },
  });
  const redis = localRedisClient(memorystore.port, PROJECT);
  let fn: FunctionProcess | undefined;
  try {
    const range = '20000-59999';
    await prepareFunctionNamespace(controlPlane, { GATEWAY_PORT_RANGE: range });
    const seedStarted = performance.now();
    let next = 0;
    const creates = [...Array.from({ length: instances }, (_, i) => i), -1];
    await Promise.all(
      Array.from({ length: SEED_CONCURRENCY }, async () => {
        while (next < creates.length) {
          const i = creates[next++]!;
          const project = i < 0 ? 'outside-project' : names[i % projects]!;
          const id = i < 0 ? 'stray' : `cache-${String(Math.floor(i / projects)).padStart(4, '0')}`;
          await redis.createInstance({
            parent: `projects/${project}/locations/${REGION}`,
            instanceId: id,
            instance: { tier: 'BASIC', memorySizeGb: 1 },
          });
        }
      }),
    );
    await memorystore.settled();
    const seeded = memorystore.instances().filter((i) => i.state === 'READY').length;
    console.log(
      `seeded ${seeded} instances in ${projects + 1} projects in ` +
        `${((performance.now() - seedStarted) / 1000).toFixed(0)} s`,
    );
    const env = deployedFunctionEnv(
      { memorystoreEndpoint: memorystore.endpoint, controlPlane, cluster, issuer },
      { MEMORYSTORE_SCOPE: FOLDER, SYNC_MODE: mode, GATEWAY_PORT_RANGE: range, MAX_PRUNE_FRACTION: '1' },
    );
    fn = await spawnFunction(PROJECT_SOURCE, 'resync', env, workDir);
    const counters = { searches: () => memorystore.inventorySearches(), gets: () => memorystore.restGets() };
    const rounds = [
      await round('from empty', fn, issuer, counters, workDir),
      await round('nothing to change', fn, issuer, counters, workDir),
    ];
    const { found } = loggedCounts(workDir);
    console.log(
      `\n${projects} projects under ${FOLDER} (+1 outside), ${instances} Redis instances, SYNC_MODE=${mode}, ` +
        `${memoryMiB} MiB as deployed (${share} vCPU); found under the scope: ${found}\n`,
    );
    console.log(
      '| resync | wall s | function CPU-s | wall at the deployed share, s | inventory pages | listings ' +
        '| product Gets | peak RSS MiB | changes |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rounds)
      console.log(
        `| ${r.name} | ${r.wallS.toFixed(1)} | ${r.cpuS.toFixed(1)} | ${wallAtShare(r.cpuS, share).toFixed(0)} ` +
          `(timeout ${RESYNC_TIMEOUT_S}) | ${r.inventoryPages} | ${r.listings} | ${r.gets} | ` +
          `${r.peakMiB.toFixed(0)} | ` +
          `${JSON.stringify(r.summary)} |`,
      );
  } finally {
    await fn?.stop();
    await redis.close();
    await memorystore.stop();
    await cluster.close();
    await controlPlane.stop();
    await issuer.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
