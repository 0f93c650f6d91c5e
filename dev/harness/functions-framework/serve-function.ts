import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { freePort, REPO_ROOT } from '../process.js';

/**
 * What Cloud Functions serves: package.json's `main`, the bundle `npm run build` (and so `gcp-build`) writes. The
 * harness runs the same file, so a test of the served function tests what is deployed.
 */
export const DEPLOYED_SOURCE = `${REPO_ROOT}${(JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { main: string }).main}`;

export interface ServedFunction {
  readonly url: string;
  /** Structured log lines it has written so far. */
  readonly lines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

function parseLine(line: string, into: Array<Record<string, unknown>>): void {
  try {
    into.push(JSON.parse(line) as Record<string, unknown>);
  } catch {
    // not JSON after all
  }
}

/** Serves one function with the real Functions Framework, as `functions-framework --target=NAME` in a child process. */
export async function serveFunction(target: string, env: NodeJS.ProcessEnv): Promise<ServedFunction> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      `${REPO_ROOT}node_modules/@google-cloud/functions-framework/build/src/main.js`,
      `--target=${target}`,
      `--source=${DEPLOYED_SOURCE}`,
      `--port=${port}`,
    ],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const errors: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    // A line cut short (the process stopped while writing a long one) is not a log record: it is left out.
    if (line.startsWith('{')) parseLine(line, lines);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => errors.push(line));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the Functions Framework (${target}) exited at start-up:\n${errors.join('\n')}`);
    const up = await fetch(url, { method: 'OPTIONS' }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline)
      throw new Error(`the Functions Framework (${target}) did not start in 20 s:\n${errors.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    lines,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    },
  };
}
