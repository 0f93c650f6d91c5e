/**
 * Memory of a resync with every product enabled: for each N, the local Memorystore API holds N instances of each of
 * the four products, and the resync function (the real Functions Framework, under the Node options Terraform deploys
 * at the default 256Mi) runs one dry-run resync against an empty namespace of a real kube-apiserver: the same reads,
 * render and plan as a real one, without the writes. Reports the process's peak RSS and V8 heap, and whether it died.
 *   npm run bench:memory                         (N = 1,000, 2,000 and 5,000 per product)
 *   BENCH_SIZES=500 npm run bench:memory
 *   BENCH_NODE_OPTIONS='...'                     other Node options than the deployed ones
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTokenIssuer, type TokenIssuer } from '../../dev/harness/id-tokens.js';
import { localProductClients, localRedisClient, startFakeMemorystore } from '../../dev/harness/memorystore/index.js';
import { REPO_ROOT } from '../../dev/harness/process.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import type { ControlPlane } from '../../dev/harness/control-plane/index.js';
import { PRODUCTS } from '../../shared/products/registry.js';
import { sleep } from './bounded.js';
import { DEPLOYED_NODE_OPTIONS, PROJECT_SOURCE, spawnFunction, type FunctionProcess } from './function-process.js';
import { OPERATOR, RESYNC_AUDIENCE } from './resync-call.js';
import { deployedFunctionEnv, prepareFunctionNamespace, PROJECT, SYNC_USER } from './deployed-function.js';
import { seedEveryProduct } from './seed-memorystore.js';
import { gkeTarget, type GkeTarget } from './gke-target.js';

// 5,000 instances of each product have 25,000 endpoints (a Memcached instance has three), each with a port of its own.
const GATEWAY_PORT_RANGE = '20000-59999';
const HEAP_PROBE = `${REPO_ROOT}build/scripts/bench/heap-probe.js`;

interface MemoryFigure {
  readonly perProduct: number;
  readonly seconds: number;
  readonly outcome: string;
  readonly peakRssMiB: number;
  readonly peakHeapMiB?: number;
}

function sizes(value = '1000,2000,5000'): number[] {
  const parsed = value.split(',').map((s) => Number(s.trim()));
  if (parsed.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`BENCH_SIZES must be whole numbers, comma-separated: ${value}`);
  return parsed;
}

/** Samples VmHWM until `done` settles or the process ends: the last sample is the peak when the process dies. */
async function watchPeak(fn: FunctionProcess, done: Promise<unknown>): Promise<number> {
  let peak = 0;
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  for (;;) {
    try {
      peak = Math.max(peak, fn.memory().peakMiB);
    } catch {
      return peak; // gone (a dead process's status has no memory lines)
    }
    if (finished || fn.ended()) return peak;
    await sleep(50);
  }
}

async function dryRun(fn: FunctionProcess, issuer: TokenIssuer): Promise<string> {
  const token = await issuer.sign({ email: OPERATOR, audience: RESYNC_AUDIENCE });
  try {
    const response = await fetch(`${fn.url}?dryRun=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(600_000),
    });
    const body = (await response.json().catch(() => ({}))) as { summary?: Record<string, number>; errors?: unknown[] };
    if (response.status !== 200) return `HTTP ${response.status}`;
    if (body.errors?.length) return `${body.errors.length} instance errors`;
    return `ok (${JSON.stringify(body.summary ?? {})})`;
  } catch (error) {
    // The exit is reported a moment after the connection drops, and V8's last words a moment after that.
    for (let waited = 0; waited < 5000 && !fn.ended(); waited += 100) await sleep(100);
    await sleep(500);
    const ended = fn.ended();
    if (ended) {
      const why = /heap out of memory/i.test(fn.tail(100)) ? 'V8 heap exhausted' : fn.tail(1);
      return `died (${ended}): ${why}`;
    }
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function measure(
  perProduct: number,
  controlPlane: ControlPlane,
  cluster: GkeTarget,
  issuer: TokenIssuer,
  workDir: string,
): Promise<MemoryFigure> {
  const memorystore = await startFakeMemorystore({ projectId: PROJECT, settleDelayMs: 1 });
  const redis = localRedisClient(memorystore.port, PROJECT);
  const others = localProductClients(memorystore.port, PROJECT);
  try {
    await seedEveryProduct({ redis, ...others }, memorystore, PROJECT, perProduct);
    const env = deployedFunctionEnv(
      { memorystoreEndpoint: memorystore.endpoint, controlPlane, cluster, issuer },
      { GATEWAY_PORT_RANGE, MEMORYSTORE_PRODUCTS: PRODUCTS.join(',') },
    );
    const heapFile = join(workDir, `heap-${perProduct}.json`);
    const nodeOptions = process.env['BENCH_NODE_OPTIONS'] ?? DEPLOYED_NODE_OPTIONS;
    const fn = await spawnFunction(
      PROJECT_SOURCE,
      'resync',
      { ...env, NODE_OPTIONS: `${nodeOptions} --import=${HEAP_PROBE}`, BENCH_HEAP_FILE: heapFile },
      workDir,
    );
    try {
      const started = performance.now();
      const call = dryRun(fn, issuer);
      const [outcome, peakRssMiB] = await Promise.all([call, watchPeak(fn, call)]);
      const heap = JSON.parse(readFileSync(heapFile, 'utf8')) as { peakHeapMiB: number };
      return {
        perProduct,
        seconds: (performance.now() - started) / 1000,
        outcome,
        peakRssMiB,
        peakHeapMiB: heap.peakHeapMiB,
      };
    } finally {
      await fn.stop();
    }
  } finally {
    await Promise.allSettled([redis.close(), others.valkey.close(), others.memcache.close(), others.cluster.close()]);
    await memorystore.stop();
  }
}

const row = (f: MemoryFigure): string =>
  `| ${f.perProduct.toLocaleString('en')} × 4 | ${f.outcome} | ${f.peakRssMiB.toFixed(0)} MiB | ` +
  `${f.peakHeapMiB?.toFixed(0) ?? '?'} MiB | ${f.seconds.toFixed(1)} s |`;

async function main(): Promise<void> {
  const wanted = sizes(process.env['BENCH_SIZES']);
  const workDir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
  const issuer = await startTokenIssuer();
  const controlPlane = await startRigCluster({ users: [SYNC_USER] });
  const cluster = await gkeTarget(controlPlane, SYNC_USER, PROJECT);
  const figures: MemoryFigure[] = [];
  try {
    await prepareFunctionNamespace(controlPlane, { GATEWAY_PORT_RANGE });
    for (const size of wanted) {
      figures.push(await measure(size, controlPlane, cluster, issuer, workDir));
      process.stderr.write(`${row(figures.at(-1)!)}\n`);
    }
  } finally {
    await cluster.close();
    await controlPlane.stop();
    await issuer.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  const options = process.env['BENCH_NODE_OPTIONS'] ?? DEPLOYED_NODE_OPTIONS;
  process.stdout.write(
    `\nDry-run resync, all four products, NODE_OPTIONS='${options}'\n\n` +
      `| instances per product | outcome | peak RSS (VmHWM) | peak V8 heap used | time |\n|---|---|---|---|---|\n` +
      `${figures.map(row).join('\n')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
