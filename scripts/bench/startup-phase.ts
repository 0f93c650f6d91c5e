import { bounded, sleep, type Outcome } from './bounded.js';
import { HELLO_SOURCE, PROJECT_SOURCE, spawnFunction } from './function-process.js';

const RUNS = 3;
// Idle memory is read once start-up work (lazy compilation, first GC) has had time to finish.
const IDLE_AFTER_MS = 2000;

export interface Startup {
  /** Median over RUNS of spawn to first answer, ms. */
  readonly coldStartMs: number;
  /** Median VmRSS when idle after start, MiB. */
  readonly idleMiB: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function startupOf(
  source: string,
  target: string,
  env: Record<string, string>,
  logDir: string,
): Promise<Startup> {
  const cold: number[] = [];
  const idle: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const fn = await spawnFunction(source, target, env, logDir);
    try {
      cold.push(fn.coldStartMs);
      await sleep(IDLE_AFTER_MS);
      idle.push(fn.memory().rssMiB);
    } finally {
      await fn.stop();
    }
  }
  return { coldStartMs: median(cold), idleMiB: median(idle) };
}

/** Cold start and idle memory of the resync function beside a hello-world function, same framework, same machine. */
export async function startupCosts(
  env: Record<string, string>,
  logDir: string,
): Promise<{ project: Outcome<Startup>; hello: Outcome<Startup> }> {
  const hello = await bounded('cold start: hello-world function', 120_000, () =>
    startupOf(HELLO_SOURCE, 'hello', {}, logDir),
  );
  const project = await bounded('cold start: resync function', 120_000, () =>
    startupOf(PROJECT_SOURCE, 'resync', env, logDir),
  );
  return { project, hello };
}
