/**
 * What each top-level module costs a fresh process to load: import time and resident memory added, each in a new
 * Node process (so nothing is shared or cached between them), median of several runs. The project's function module
 * is measured last: everything it loads at start-up, together. Then the modules the first event of a cold start loads
 * (the function imports them lazily: a GKE cluster's store, the instance read, the audit publisher), each run shown:
 * CPU time, RSS and V8 heap added.
 *   npm run bench:modules
 */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../dev/harness/process.js';

const RUNS = 5;
const GKE_PATH_RUNS = 3;
const MODULES = [
  '@kubernetes/client-node',
  '@google-cloud/redis',
  '@google-cloud/memorystore',
  '@google-cloud/memcache',
  '@google-cloud/redis-cluster',
  '@google-cloud/pubsub',
  'google-auth-library',
  '@google-cloud/functions-framework',
  'zod',
  'yaml',
];
const FUNCTIONS = `${REPO_ROOT}build/functions/index.js`;
// What the runtime imports on the first event: the store of a GKE cluster (endpoint, CA and ADC token), the instance
// read over REST and the audit publisher (no client library: every product is read and listed over REST).
const GKE_PATH = [
  'shared/adapters/kube-config.js',
  'shared/adapters/kube-cluster-store.js',
  'shared/adapters/memorystore-sources.js',
  'shared/adapters/pubsub-audit-publisher.js',
].map((file) => `${REPO_ROOT}build/${file}`);
// Enough configuration for the function module to load (it parses the configuration at import); nothing is called.
const FUNCTION_ENV = {
  MEMORYSTORE_PROJECT: 'bench-project',
  KUBECONFIG: '/dev/null',
  RESYNC_AUDIENCE: 'https://bench.local/resync',
  RESYNC_ALLOWED_PRINCIPALS: 'operator@example.com',
};

// Runs in the child: CPU time, memory and heap before and after the dynamic imports, and their duration.
const PROBE = `
const before = process.memoryUsage();
const cpu = process.cpuUsage();
const start = performance.now();
for (const specifier of process.argv.slice(1)) await import(specifier);
const ms = performance.now() - start;
const { user, system } = process.cpuUsage(cpu);
const after = process.memoryUsage();
process.stdout.write(JSON.stringify({
  ms, cpuSeconds: (user + system) / 1e6, rssDelta: after.rss - before.rss, rss: after.rss,
  heapDelta: after.heapUsed - before.heapUsed,
}));
`;

interface Cost {
  readonly ms: number;
  readonly cpuSeconds: number;
  readonly rssDelta: number;
  readonly rss: number;
  readonly heapDelta: number;
}

function probe(...specifiers: string[]): Cost {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, ...specifiers], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...FUNCTION_ENV },
    encoding: 'utf8',
  });
  return JSON.parse(out) as Cost;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mib = (b: number): string => (b / 1048576).toFixed(1);

const rows = [...MODULES, FUNCTIONS].map((specifier) => {
  const runs = Array.from({ length: RUNS }, () => probe(specifier));
  return {
    specifier,
    ms: median(runs.map((r) => r.ms)),
    rssDelta: median(runs.map((r) => r.rssDelta)),
    rss: median(runs.map((r) => r.rss)),
  };
});
const empty = median(Array.from({ length: RUNS }, () => probe('node:os').rss));

process.stdout.write(
  `Node ${process.version}; RSS of a process that imported nothing but node:os: ${mib(empty)} MiB; median of ${RUNS} fresh processes each\n\n`,
);
process.stdout.write('| module | import time | RSS added | RSS after |\n|---|---|---|---|\n');
for (const row of rows) {
  const name =
    row.specifier === FUNCTIONS ? "the project's functions (build/functions/index.js)" : `\`${row.specifier}\``;
  process.stdout.write(`| ${name} | ${row.ms.toFixed(0)} ms | ${mib(row.rssDelta)} MiB | ${mib(row.rss)} MiB |\n`);
}

const gkeRuns = Array.from({ length: GKE_PATH_RUNS }, () => probe(...GKE_PATH));
process.stdout.write(
  `\nThe first event's modules for a GKE cluster (${GKE_PATH.map((p) => p.slice(REPO_ROOT.length)).join(' + ')}), ` +
    `${GKE_PATH_RUNS} fresh processes:\n\n| run | import time | CPU time | RSS added | heap added |\n|---|---|---|---|---|\n`,
);
gkeRuns.forEach((run, i) =>
  process.stdout.write(
    `| ${i + 1} | ${run.ms.toFixed(0)} ms | ${run.cpuSeconds.toFixed(2)} s | ${mib(run.rssDelta)} MiB | ` +
      `${mib(run.heapDelta)} MiB |\n`,
  ),
);
