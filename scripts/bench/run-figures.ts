import type { Outcome } from './bounded.js';
import { cpuShareOf, parseMemoryMiB, wallAtShare } from './cpu-share.js';
import { formatSpread, spreadOf, type Spread } from './spread.js';

/** The memory the functions are run as (BENCH_MEMORY, default 256Mi): their Node options and CPU share are its. */
export const BENCH_MEMORY_MIB = parseMemoryMiB(process.env['BENCH_MEMORY']);
/** The CPU share the wall-time estimates are at: Cloud Run's for that memory. */
export const DEPLOYED_SHARE = cpuShareOf(BENCH_MEMORY_MIB);

export const n = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const seconds = (ms: number): string => `${n(ms / 1000, 1)} s`;
export const bytes = (b: number): string => (b >= 1048576 ? `${n(b / 1048576, 1)} MiB` : `${n(b / 1024, 1)} KiB`);
export const cpu = (s: number): string => `${n(s, 2)} CPU-s`;

/** A figure over several runs: the spread of the runs that have it, and why the others have not. */
export interface OverRuns {
  readonly spread?: Spread;
  readonly failures: readonly string[];
  readonly runs: number;
}

/** The figure `value` of each run's outcome `pick`; a failed or missing outcome is a failure with its reason. */
export function overRuns<R, T>(
  runs: readonly R[],
  pick: (run: R) => Outcome<T> | undefined,
  value: (figure: T) => number | string | undefined,
): OverRuns {
  const values: number[] = [];
  const failures: string[] = [];
  for (const run of runs) {
    const outcome = pick(run);
    if (!outcome) continue;
    if (!outcome.ok) {
      failures.push(outcome.reason);
      continue;
    }
    const figure = value(outcome.value);
    if (typeof figure === 'string') failures.push(figure);
    else if (figure !== undefined) values.push(figure);
  }
  const spread = spreadOf(values);
  return { ...(spread ? { spread } : {}), failures, runs: runs.length };
}

/** "1.2 s (1.1–1.4)", with "; failed in 1 of 3 runs (reason)" when some runs have no figure. */
export function spreadCell(over: OverRuns, format: (value: number) => string): string {
  const failed =
    over.failures.length > 0 ? `failed in ${over.failures.length} of ${over.runs} runs (${over.failures[0]})` : '';
  if (!over.spread) return failed || 'not run';
  return [formatSpread(over.spread, format), failed].filter(Boolean).join('; ');
}

/** CPU seconds and the wall time they imply at the deployed share: "0.31 CPU-s (…) ≈ 1.9 s at 0.167 vCPU". */
export function cpuCell(over: OverRuns, share = DEPLOYED_SHARE): string {
  if (!over.spread) return spreadCell(over, cpu);
  const wall = (s: number): string => `${n(wallAtShare(s, share), 1)} s`;
  return `${spreadCell(over, cpu)} ≈ ${formatSpread(over.spread, wall)} at ${share} vCPU (estimate)`;
}
