import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../../dev/harness/process.js';
import { DEPLOYED_SOURCE } from '../../dev/harness/functions-framework/serve-function.js';
import { sleep } from './bounded.js';
import { parseMemoryMiB } from './cpu-share.js';

const FRAMEWORK = `${REPO_ROOT}node_modules/@google-cloud/functions-framework/build/src/main.js`;

export interface FunctionProcess {
  readonly url: string;
  readonly pid: number;
  /** Spawn to the first answer of the function itself (any HTTP status from its handler), in ms. */
  readonly coldStartMs: number;
  /** Resident memory now, and its peak since spawn (VmRSS and VmHWM of /proc/<pid>/status), in MiB. */
  memory(): { rssMiB: number; peakMiB: number };
  /** How the process ended (`exit 134`, `SIGKILL`), or undefined while it runs. */
  ended(): string | undefined;
  /** The last lines the process wrote on stderr, for a failure message. */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

function statusField(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** Polls until the function answers a GET; the framework answers nothing before the function's module has loaded. */
async function firstAnswer(child: ChildProcess, url: string, errors: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the Functions Framework exited at start-up: ${errors.slice(-3).join(' | ')}`);
    const answered = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => (void r.body?.cancel(), true),
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * Serves one function with the real Functions Framework in a child process, as `functions-framework --target=NAME`
 * does in Cloud Run, with its structured logs written to `logDir`. The child is what is measured: its memory and its
 * start-up, not the bench's.
 */
/** The heap ceiling Terraform gives each function_memory, in MiB (terraform/locals.tf, heap_ceiling_mib). */
const HEAP_CEILING_MIB: Readonly<Record<number, number>> = { 256: 128, 512: 352, 1024: 736, 2048: 1536 };

/** Node's options as Terraform deploys the functions at `memoryMiB`: measured with the heap ceiling they run with. */
export function deployedNodeOptions(memoryMiB: number): string {
  const ceiling = HEAP_CEILING_MIB[memoryMiB];
  if (ceiling === undefined) throw new Error(`Terraform deploys no heap ceiling for ${memoryMiB} MiB`);
  return `--max-old-space-size=${ceiling} --max-semi-space-size=4`;
}

/** At the default 256Mi. */
export const DEPLOYED_NODE_OPTIONS = deployedNodeOptions(256);

const benchNodeOptions = (): string => deployedNodeOptions(parseMemoryMiB(process.env['BENCH_MEMORY']));

export async function spawnFunction(
  source: string,
  target: string,
  env: NodeJS.ProcessEnv,
  logDir: string,
): Promise<FunctionProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [FRAMEWORK, `--target=${target}`, `--source=${source}`, `--port=${port}`], {
    // BENCH_NODE_OPTIONS tries other Node options (a heap ceiling, say) against the deployed ones; BENCH_MEMORY runs
    // them as deployed at another function_memory.
    env: { ...process.env, NODE_OPTIONS: process.env['BENCH_NODE_OPTIONS'] ?? benchNodeOptions(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(createWriteStream(join(logDir, `${target}-${port}.log`)));
  const errors: string[] = [];
  child.stderr.on('data', (chunk: Buffer) =>
    errors.push(...chunk.toString('utf8').split('\n').filter(Boolean).slice(-100)),
  );
  const url = `http://127.0.0.1:${port}/`;
  try {
    await firstAnswer(child, url, errors, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const coldStartMs = performance.now() - started;
  const pid = child.pid!;
  return {
    url,
    pid,
    coldStartMs,
    memory: () => ({ rssMiB: statusField(pid, 'VmRSS'), peakMiB: statusField(pid, 'VmHWM') }),
    ended: () => child.signalCode ?? (child.exitCode !== null ? `exit ${child.exitCode}` : undefined) ?? undefined,
    tail: (lines = 5) => errors.slice(-lines).join('\n'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The project's functions as deployed: package.json's `main`, the bundle. */
export const PROJECT_SOURCE = DEPLOYED_SOURCE;
/** A function that does nothing, for the baseline of start-up time and memory. */
export const HELLO_SOURCE = `${REPO_ROOT}build/scripts/bench/hello-function.js`;
