import { readdirSync, readFileSync } from 'node:fs';
import { cpuSecondsOfStat } from './cpu-share.js';

/** CPU seconds a process has used so far, user and system (/proc/<pid>/stat). */
export const processCpuSeconds = (pid: number): number => cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/**
 * The pid of the kube-apiserver serving `server` (https://127.0.0.1:<port>): the process whose command line has
 * `--secure-port=<port>`. The rig starts it without handing out its pid, and the port is unique on this machine.
 */
export function apiserverPid(server: string): number {
  const flag = `--secure-port=${new URL(server).port}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // ended meanwhile
    }
    if (args[0]?.endsWith('kube-apiserver') && args.includes(flag)) return Number(entry);
  }
  throw new Error(`no kube-apiserver process with ${flag}`);
}
