import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs from the sources or from the compiled copy in build/. */
function findRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'dev/components/build.sh'))) return `${dir}/`;
  }
  throw new Error('repository root not found');
}

export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A free loopback port (there is a small window before the caller binds it; components start one at a time). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Path of a built component (kube-apiserver, etcd, istioctl, pstest): builds it from its pinned Go module on first
 * use, with the build's progress on stderr, and takes it from the version-keyed cache after that.
 */
export function componentPath(name: string): string {
  const result = spawnSync(`${REPO_ROOT}dev/components/build.sh`, [name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(`building ${name} failed (dev/components/build.sh ${name}, exit ${result.status})`);
  return result.stdout.trim().split('\n').pop()!;
}

const building = new Map<string, Promise<string>>();

/**
 * Starts building a component without waiting for it, so a run can go on with steps that do not need it (a cold
 * machine's build takes minutes); `componentReady` waits for that build. At once when it is cached.
 */
export function buildInBackground(name: string): Promise<string> {
  let path = building.get(name);
  if (!path) {
    path = new Promise<string>((resolve, reject) => {
      const child = spawn(`${REPO_ROOT}dev/components/build.sh`, [name], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0
          ? resolve(stdout.trim().split('\n').pop()!)
          : reject(new Error(`building ${name} failed (dev/components/build.sh ${name}, exit ${code})`)),
      );
    });
    // Handled here so a failed build that no step waits for yet does not end the run; the step that waits sees it.
    path.catch(() => undefined);
    building.set(name, path);
  }
  return path;
}

/** Path of a built component: the background build's when one was started, else built (or cached) now. */
export function componentReady(name: string): Promise<string> {
  return building.get(name) ?? Promise.resolve(componentPath(name));
}

export interface Managed {
  readonly process: ChildProcess;
  readonly logPath: string;
  stop(): Promise<void>;
  /** The last lines the process wrote, for a failure message. */
  tail(lines?: number): string;
}

const running = new Set<ChildProcess>();
// A test run that dies must not leave servers behind.
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/** Starts a process with its output in a log file; stop() terminates it (SIGTERM, then SIGKILL). */
export function startProcess(
  command: string,
  args: string[],
  logPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Managed {
  const log = createWriteStream(logPath);
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The last lines are also kept in memory: a process that dies at once may exit before its log file is flushed.
  const recent: string[] = [];
  const keep = (chunk: Buffer): void => {
    recent.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 50));
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', keep);
    stream?.pipe(log);
  }
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    logPath,
    tail: (lines = 20) => recent.slice(-lines).join('\n'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      log.end();
    },
  };
}

/** Polls until check() is true, or fails with what the process last said. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  managed: Managed,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (managed.process.exitCode !== null)
      throw new Error(`${what}: the process exited (${managed.process.exitCode}). Last output:\n${managed.tail()}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms. Last output:\n${managed.tail()}`);
}
