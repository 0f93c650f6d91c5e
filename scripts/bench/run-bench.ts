/**
 * The performance of the project on the real local stack (kube-apiserver with an audit log, etcd, Pub/Sub server,
 * the local Memorystore API, the real Functions Framework), at several numbers of instances, beside
 * `kubectl apply --server-side` of the same objects. Prints a table of figures; failures are figures too.
 *   npm run bench                       (N = 100, 1,000 and 5,000)
 *   BENCH_SIZES=100,1000 npm run bench
 *   BENCH_KUBECTL=off                   skip the kubectl baseline
 *   BENCH_NODE_OPTIONS='...'            run the functions with other Node options than the deployed ones
 */
import { pubSubClient, startPubSubServer } from '../../dev/harness/pubsub/pstest-server.js';
import { startTokenIssuer } from '../../dev/harness/id-tokens.js';
import type { Outcome } from './bounded.js';
import { kubectlPath } from './kubectl.js';
import { measureSize, type SizeResult } from './measure-size.js';
import { sizeTable, startupTable } from './report.js';
import { startupCosts, type Startup } from './startup-phase.js';

function sizes(value = '100,1000,5000'): number[] {
  const parsed = value.split(',').map((s) => Number(s.trim()));
  if (parsed.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`BENCH_SIZES must be whole numbers, comma-separated: ${value}`);
  return parsed;
}

async function main(): Promise<void> {
  const wanted = sizes(process.env['BENCH_SIZES']);
  const started = Date.now();
  if (process.env['BENCH_KUBECTL'] !== 'off') kubectlPath(); // built before anything is timed
  const pubsubServer = await startPubSubServer();
  const pubsub = pubSubClient(pubsubServer.host, 'bench-project');
  const issuer = await startTokenIssuer();
  const results: SizeResult[] = [];
  let startup: { project: Outcome<Startup>; hello: Outcome<Startup> } | undefined;
  try {
    const latencySize = wanted.includes(100) ? 100 : Math.min(...wanted);
    const onFirstStack = async (env: Record<string, string>, logDir: string): Promise<void> => {
      startup ??= await startupCosts(env, logDir);
    };
    for (const size of wanted) {
      const sizeStarted = Date.now();
      const result = await measureSize({ pubsub, issuer, latencySize, onFirstStack }, size);
      results.push({ ...result, elapsedMs: Date.now() - sizeStarted });
      // So far, in case a later size runs out of time or memory.
      process.stderr.write(`\n${sizeTable(results)}\n\n`);
    }
  } finally {
    await issuer.close();
    await pubsub.close();
    await pubsubServer.stop();
  }
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(
    `\nMeasured ${date} on this machine (${Math.round((Date.now() - started) / 1000)} s in all); BENCH_SIZES=${wanted.join(',')}\n\n`,
  );
  process.stdout.write(`${sizeTable(results)}\n\n${startupTable(startup)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
