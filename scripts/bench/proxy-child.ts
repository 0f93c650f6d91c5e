import { fork, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from '../../dev/harness/process.js';
import type { TrafficCounts } from './counting-proxy.js';

export interface ProxyProcess {
  /** https://127.0.0.1:<port>, in place of the apiserver's address. */
  readonly url: string;
  counts(): Promise<TrafficCounts>;
  stop(): Promise<void>;
}

/** The child's next message carrying `key`; both listeners go once it comes (a bench asks for counts many times). */
function reply<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => {
      child.off('message', onMessage);
      reject(new Error(`the counting proxy exited (${code})`));
    };
    const onMessage = (message: unknown): void => {
      const value = (message as Record<string, unknown> | null)?.[key];
      if (value === undefined) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(value as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Starts the counting relay (proxy-process.ts) in front of `target` in a child process. */
export async function startProxyProcess(target: string): Promise<ProxyProcess> {
  const child = fork(`${REPO_ROOT}build/scripts/bench/proxy-process.js`, [target], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await reply<string>(child, 'url');
  return {
    url,
    counts() {
      const answer = reply<TrafficCounts>(child, 'counts');
      child.send('counts');
      return answer;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}
