/**
 * The performance of the project as deployed, on the real local stack (kube-apiserver with an audit log, etcd, Pub/Sub
 * server, the local Memorystore API holding instances of all four products, the real Functions Framework running the
 * functions with the deployed environment: GKE path, AUDIT_TOPIC publishing, every product enabled, the Node options
 * of 256Mi), at several numbers of instances, beside `kubectl apply --server-side` of the same objects and a ceiling
 * probe. Each size runs BENCH_RUNS times on a fresh stack; each figure is the median (min–max) of the runs. Prints
 * the tables; failures are figures too.
 *   npm run bench                       (N = 100, 1,000 and 5,000; 3 runs; 20,000 gateway ports)
 *   BENCH_SIZES=100,1000 BENCH_RUNS=2 npm run bench
 *   BENCH_KUBECTL=off / BENCH_CEILING=off   skip the kubectl baseline / the ceiling probe
 *   BENCH_PORTS=off (or a number)       skip the many-ports phase (or ask for another number of ports)
 *   BENCH_MEMORY=512Mi                  run the functions as deployed at another function_memory (Node options, CPU
 *                                       share); Terraform picks 512Mi when several products are enabled
 *   BENCH_NODE_OPTIONS='...'            run the functions with other Node options than the deployed ones
 */
import { pubSubClient, startPubSubServer } from '../../dev/harness/pubsub/pstest-server.js';
import { startTokenIssuer } from '../../dev/harness/id-tokens.js';
import type { SizeStack } from './bench-stack.js';
import type { Outcome } from './bounded.js';
import { firstEvents, type FirstEventRun } from './first-event-phase.js';
import { kubectlPath } from './kubectl.js';
import { measureSize, type SizeResult } from './measure-size.js';
import { manyPorts, portsWanted, type PortsResult } from './ports-phase.js';
import { sizeTable } from './report.js';
import { firstEventTable, flatnessTable, portsTable, startupTable } from './report-once.js';
import { BENCH_MEMORY_MIB, DEPLOYED_SHARE } from './run-figures.js';
import { startupCosts, type Startup } from './startup-phase.js';

function wholeNumbers(name: string, value: string): number[] {
  const parsed = value.split(',').map((s) => Number(s.trim()));
  if (parsed.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`${name} must be whole numbers above 0, comma-separated: ${value}`);
  return parsed;
}

const sizes = (value = '100,1000,5000'): number[] => wholeNumbers('BENCH_SIZES', value);
const runsOf = (value = '3'): number => wholeNumbers('BENCH_RUNS', value)[0]!;

interface Once {
  startup?: { project: Outcome<Startup>; hello: Outcome<Startup> };
  firstEvent?: Outcome<FirstEventRun[]>;
  ports?: PortsResult;
}

async function main(): Promise<void> {
  const wanted = sizes(process.env['BENCH_SIZES']);
  const runs = runsOf(process.env['BENCH_RUNS']);
  const ports = portsWanted(process.env['BENCH_PORTS']);
  const started = Date.now();
  if (process.env['BENCH_KUBECTL'] !== 'off') kubectlPath(); // built before anything is timed
  const pubsubServer = await startPubSubServer();
  const pubsub = { client: pubSubClient(pubsubServer.host, 'bench-project'), host: pubsubServer.host };
  const issuer = await startTokenIssuer();
  const bySize: SizeResult[][] = [];
  const once: Once = {};
  try {
    const latencySize = wanted.includes(100) ? 100 : Math.min(...wanted);
    const onFirstStack = async (stack: SizeStack, env: Record<string, string>): Promise<void> => {
      once.startup ??= await startupCosts(env, stack.workDir);
      once.firstEvent ??= await firstEvents(stack, env, runs);
    };
    for (const size of wanted) {
      const results: SizeResult[] = [];
      bySize.push(results);
      for (let run = 0; run < runs; run++) {
        const runStarted = Date.now();
        const result = await measureSize({ pubsub, issuer, latencySize, onFirstStack }, size);
        results.push({ ...result, elapsedMs: Date.now() - runStarted });
        // So far, in case a later size runs out of time or memory.
        process.stderr.write(`\n${sizeTable(bySize)}\n\n`);
      }
    }
    if (ports !== undefined) once.ports = await manyPorts(pubsub, issuer, ports);
  } finally {
    await issuer.close();
    await pubsub.client.close();
    await pubsubServer.stop();
  }
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(
    `\nMeasured ${date} on this machine (${Math.round((Date.now() - started) / 1000)} s in all); ` +
      `BENCH_SIZES=${wanted.join(',')} BENCH_RUNS=${runs}; functions as deployed at ${BENCH_MEMORY_MIB} MiB; ` +
      `each figure median (min–max) of the runs; ` +
      `wall times at ${DEPLOYED_SHARE} vCPU are CPU-s ÷ ${DEPLOYED_SHARE}, an estimate\n\n`,
  );
  const tables = [
    sizeTable(bySize),
    flatnessTable(bySize),
    portsTable(once.ports),
    firstEventTable(once.firstEvent),
    startupTable(once.startup),
  ];
  process.stdout.write(`${tables.filter(Boolean).join('\n\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
