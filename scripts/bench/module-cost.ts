/**
 * What each top-level module costs a fresh process to load: import time and resident memory added, each in a new
 * Node process (so nothing is shared or cached between them), median of several runs. The project's function module
 * is measured last: everything it loads at start-up, together.
 *   npm run bench:modules
 */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../dev/harness/process.js';

const RUNS = 5;
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
// Enough configuration for the function module to load (it parses the configuration at import); nothing is called.
const FUNCTION_ENV = {
  MEMORYSTORE_PROJECT: 'bench-project',
  KUBECONFIG: '/dev/null',
  RESYNC_AUDIENCE: 'https://bench.local/resync',
  RESYNC_ALLOWED_PRINCIPALS: 'operator@example.com',
};

// Runs in the child: memory before and after one dynamic import, and its duration.
const PROBE = `
const before = process.memoryUsage().rss;
const start = performance.now();
await import(process.argv[1]);
const ms = performance.now() - start;
process.stdout.write(JSON.stringify({ ms, rssDelta: process.memoryUsage().rss - before, rss: process.memoryUsage().rss }));
`;

interface Cost {
  readonly ms: number;
  readonly rssDelta: number;
  readonly rss: number;
}

function probe(specifier: string): Cost {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, specifier], {
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
