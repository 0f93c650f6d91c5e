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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTokenIssuer } from '../../dev/harness/id-tokens.js';
import { localRedisClient, startFakeMemorystore } from '../../dev/harness/memorystore/index.js';
import { pubSubClient, startPubSubServer } from '../../dev/harness/pubsub/pstest-server.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { PROJECT_SOURCE } from './function-process.js';
import { gkeTarget } from './gke-target.js';
import { deployedFunctionEnv, prepareFunctionNamespace, PROJECT, SYNC_USER } from './deployed-function.js';
import { coldFirstEvent, type FirstEventRun } from './first-event-phase.js';
import { warmApiserver } from './warm-apiserver.js';

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
  const results: FirstEventRun[] = [];
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
        results.push(await coldFirstEvent({ env, redis, workDir }, source, `first-event-${run}-${i}`));
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

function report(source: string, results: readonly FirstEventRun[]): void {
  const pick = (key: Exclude<keyof FirstEventRun, 'source'>): number[] => results.map((r) => r[key]);
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
