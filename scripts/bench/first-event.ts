/**
 * The first event after a cold start, beside a hello-world function's first response: each run spawns a fresh
 * Functions Framework process serving `syncOnAuditLog` from package.json's `main`, the bundle a deployment runs (the
 * deployed Node options, the deployed GKE path: server, CA, a token from a local metadata server; audit records
 * published to the local Pub/Sub server), waits for its first answer, then delivers one event (the last audit entry of
 * a new Redis instance's creation) as Eventarc would, and measures spawn → first answer, the event's own time and the
 * CPU the process spent on each (CPU time is what a busy machine changes least). With BENCH_COMPARE_SOURCE (another
 * build's entry file: its `build/bundle/index.js`, or `build/functions/index.js` before the bundle), each run also
 * serves that build, interleaved with this one, so the two are measured under the same load.
 *   npm run bench:first-event          (BENCH_RUNS=5, BENCH_COMPARE_SOURCE)
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTokenIssuer } from '../../dev/harness/id-tokens.js';
import { localRedisClient, startFakeMemorystore } from '../../dev/harness/memorystore/index.js';
import { pubSubClient, startPubSubServer } from '../../dev/harness/pubsub/pstest-server.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { HELLO_SOURCE, PROJECT_SOURCE, spawnFunction, type FunctionProcess } from './function-process.js';
import { gkeTarget } from './gke-target.js';
import { deployedFunctionEnv, prepareFunctionNamespace, PROJECT, SYNC_USER } from './deployed-function.js';
import { REGION } from './seed-memorystore.js';
import { creationEvent } from './first-event-phase.js';
import { warmApiserver } from './warm-apiserver.js';

const TICKS_PER_SECOND = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in clock ticks (proc(5))

/** CPU seconds the process has used so far (utime + stime of /proc/<pid>/stat, fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

interface Run {
  readonly source: string;
  readonly helloMs: number;
  readonly helloCpuS: number;
  readonly readyMs: number;
  readonly readyCpuS: number;
  readonly eventMs: number;
  readonly totalMs: number;
  readonly eventCpuS: number;
}

async function firstEvent(fn: FunctionProcess, instanceName: string, id: string): Promise<number> {
  const { headers, body } = creationEvent(instanceName, id);
  const response = await fetch(fn.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
  await response.body?.cancel();
  if (response.status >= 300) throw new Error(`the event was answered ${response.status}: ${fn.tail()}`);
  return response.status;
}

interface Bench {
  readonly env: Record<string, string>;
  readonly redis: ReturnType<typeof localRedisClient>;
  readonly workDir: string;
}

/** One run: a hello-world function's cold start, then `source`'s cold start and first event, on a new instance. */
async function measure(source: string, id: string, { env, redis, workDir }: Bench): Promise<Run> {
  const hello = await spawnFunction(HELLO_SOURCE, 'hello', {}, workDir);
  const helloCpuS = cpuSeconds(hello.pid);
  await hello.stop();
  const [operation] = await redis.createInstance({
    parent: `projects/${PROJECT}/locations/${REGION}`,
    instanceId: `first-event-${id}`,
    instance: { tier: 'BASIC', memorySizeGb: 1 },
  });
  await operation.promise();
  const started = performance.now();
  const fn = await spawnFunction(source, 'syncOnAuditLog', env, workDir);
  try {
    const readyCpuS = cpuSeconds(fn.pid);
    const eventStarted = performance.now();
    await firstEvent(fn, `projects/${PROJECT}/locations/${REGION}/instances/first-event-${id}`, `event-${id}`);
    const eventMs = performance.now() - eventStarted;
    return {
      source,
      helloMs: hello.coldStartMs,
      helloCpuS,
      readyMs: fn.coldStartMs,
      readyCpuS,
      eventMs,
      totalMs: performance.now() - started,
      eventCpuS: cpuSeconds(fn.pid) - readyCpuS,
    };
  } finally {
    await fn.stop();
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], digits = 0): string =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

async function main(): Promise<void> {
  const runs = Number(process.env['BENCH_RUNS'] ?? '5');
  const compareSource = process.env['BENCH_COMPARE_SOURCE'];
  const workDir = mkdtempSync(join(tmpdir(), 'bench-first-event-'));
  const issuer = await startTokenIssuer();
  const pubsubServer = await startPubSubServer();
  const pubsub = pubSubClient(pubsubServer.host, PROJECT);
  const controlPlane = await startRigCluster({ users: [SYNC_USER] });
  const cluster = await gkeTarget(controlPlane, SYNC_USER, PROJECT);
  const memorystore = await startFakeMemorystore({ projectId: PROJECT, settleDelayMs: 1 });
  const redis = localRedisClient(memorystore.port, PROJECT);
  const results: Run[] = [];
  try {
    await prepareFunctionNamespace(controlPlane);
    await warmApiserver(controlPlane);
    const [auditTopic] = await pubsub.createTopic('audit');
    const env = deployedFunctionEnv({
      memorystoreEndpoint: memorystore.endpoint,
      controlPlane,
      cluster,
      issuer,
      audit: { topic: auditTopic.name, pubsubHost: pubsubServer.host, required: false },
    });
    const sources = [...(compareSource ? [compareSource] : []), PROJECT_SOURCE];
    for (let run = 0; run < runs; run++)
      for (const [i, source] of sources.entries()) {
        results.push(await measure(source, `${run}-${i}`, { env, redis, workDir }));
        process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
      }
  } finally {
    await redis.close();
    await memorystore.stop();
    await cluster.close();
    await controlPlane.stop();
    await pubsub.close();
    await pubsubServer.stop();
    await issuer.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  for (const source of new Set(results.map((r) => r.source)))
    report(
      source,
      results.filter((r) => r.source === source),
    );
}

function report(source: string, results: readonly Run[]): void {
  const pick = (key: Exclude<keyof Run, 'source'>): number[] => results.map((r) => r[key]);
  const ratios = results.map((r) => r.totalMs / r.helloMs);
  const cpuRatios = results.map((r) => (r.readyCpuS + r.eventCpuS) / r.helloCpuS);
  process.stdout.write(
    `\nFirst event after a cold start, ${source}, ${results.length} runs: median (min–max)\n\n` +
      `| what | time | CPU |\n|---|---|---|\n` +
      `| hello-world: spawn → first answer | ${spread(pick('helloMs'))} ms | ${spread(pick('helloCpuS'), 2)} s |\n` +
      `| syncOnAuditLog: spawn → first answer | ${spread(pick('readyMs'))} ms | ${spread(pick('readyCpuS'), 2)} s |\n` +
      `| the first event (first answer → event acknowledged) | ${spread(pick('eventMs'))} ms | ` +
      `${spread(pick('eventCpuS'), 2)} s |\n` +
      `| spawn → first event acknowledged | ${spread(pick('totalMs'))} ms | |\n` +
      `| ÷ hello-world's first answer (same run) | ${spread(ratios, 1)}× | ${spread(cpuRatios, 1)}× |\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
