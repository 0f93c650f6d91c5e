import { cpuSecondsOfStat, cpuShareOf, parseMemoryMiB, wallAtShare } from '../../../scripts/bench/cpu-share.js';

describe('the deployed CPU share', () => {
  it('is 0.167 vCPU at the default 256 MiB, as Google documents', () => {
    expect(cpuShareOf(256)).toBe(0.167);
  });

  it('names the memory it has no share for', () => {
    expect(() => cpuShareOf(300)).toThrow(/300 MiB/);
  });

  it('turns CPU seconds into the wall time at that share', () => {
    expect(wallAtShare(0.5, 0.167)).toBeCloseTo(2.994, 3);
    expect(wallAtShare(2, 1)).toBe(2);
  });

  it('reads BENCH_MEMORY as Terraform spells function_memory', () => {
    expect(parseMemoryMiB(undefined)).toBe(256);
    expect(parseMemoryMiB('512Mi')).toBe(512);
    expect(parseMemoryMiB('1Gi')).toBe(1024);
    expect(cpuShareOf(parseMemoryMiB('512Mi'))).toBe(0.333);
    expect(() => parseMemoryMiB('300Mi')).toThrow(/BENCH_MEMORY/);
    expect(() => parseMemoryMiB('lots')).toThrow(/BENCH_MEMORY/);
  });

  it('refuses a share of nothing', () => {
    expect(() => wallAtShare(1, 0)).toThrow(/above 0/);
  });
});

describe('cpuSecondsOfStat', () => {
  // A /proc/<pid>/stat line (proc(5)): utime 250 and stime 50 ticks, a command name with a space and a parenthesis.
  const stat =
    '4242 (node (main) x) S 1 4242 4242 0 -1 4194560 9000 0 0 0 250 50 0 0 20 0 11 0 1000 1000000 20000 ' +
    '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

  it('adds utime and stime, in seconds', () => {
    expect(cpuSecondsOfStat(stat)).toBe(3);
  });

  it('refuses what is not a stat line', () => {
    expect(() => cpuSecondsOfStat('nonsense')).toThrow(/not a \/proc/);
  });
});
