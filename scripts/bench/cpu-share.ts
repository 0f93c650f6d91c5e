/**
 * The CPU a deployed function gets: Cloud Run functions allocate CPU with memory, 0.167 vCPU at the default 256 MiB
 * ("Configure memory and vCPU limits", https://cloud.google.com/functions/docs/configuring/memory: 128 MiB .083 vCPU,
 * 256 MiB .167 vCPU, 512 MiB .333 vCPU, 1 GiB .583 vCPU, 2 GiB 1 vCPU).
 */
export const CPU_SHARE_BY_MEMORY_MIB: Readonly<Record<number, number>> = {
  128: 0.083,
  256: 0.167,
  512: 0.333,
  1024: 0.583,
  2048: 1,
};

/** The default function_memory of the Terraform module (with one product; with several, Terraform picks 512Mi). */
export const DEPLOYED_MEMORY_MIB = 256;

/** A Cloud Run memory size as Terraform's function_memory spells it ("256Mi", "1Gi"), in MiB; unset: the default. */
export function parseMemoryMiB(value: string | undefined): number {
  if (value === undefined) return DEPLOYED_MEMORY_MIB;
  const match = /^(\d+)(Mi|Gi)$/.exec(value.trim());
  const mib = match ? Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1) : NaN;
  if (!(mib in CPU_SHARE_BY_MEMORY_MIB))
    throw new Error(`BENCH_MEMORY must be one of 128Mi, 256Mi, 512Mi, 1Gi, 2Gi: ${value}`);
  return mib;
}

export function cpuShareOf(memoryMiB: number): number {
  const share = CPU_SHARE_BY_MEMORY_MIB[memoryMiB];
  if (share === undefined)
    throw new Error(
      `no documented CPU share for ${memoryMiB} MiB: one of ${Object.keys(CPU_SHARE_BY_MEMORY_MIB).join(', ')}`,
    );
  return share;
}

/**
 * The wall time CPU work would take at a fraction of one vCPU: an estimate, since it assumes the work is CPU-bound
 * and throttled evenly, and leaves out the waits on the apiserver and the network, which do not shrink with CPU.
 */
export function wallAtShare(cpuSeconds: number, share: number): number {
  if (!(share > 0)) throw new Error(`a CPU share must be above 0: ${share}`);
  return cpuSeconds / share;
}

const TICKS_PER_SECOND = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in clock ticks (proc(5))

/**
 * utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in seconds. The command name (field 2) is in
 * parentheses and may hold spaces or parentheses itself, so the fields are counted from the last ')'.
 */
export function cpuSecondsOfStat(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line: no command name');
  const fields = stat.slice(close + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('not a /proc/<pid>/stat line: no times');
  return (utime + stime) / TICKS_PER_SECOND;
}
