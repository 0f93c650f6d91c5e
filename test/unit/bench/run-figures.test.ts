import { cpuCell, overRuns, spreadCell } from '../../../scripts/bench/run-figures.js';
import type { Outcome } from '../../../scripts/bench/bounded.js';

const ok = (value: number): Outcome<number> => ({ ok: true, value });
const failed = (reason: string): Outcome<number> => ({ ok: false, reason });

describe('figures over several runs', () => {
  it('gives the median and range of the runs that have the figure, and why the others have not', () => {
    const over = overRuns(
      [ok(3), failed('HTTP 422: too many ports'), ok(1), ok(2)],
      (r) => r,
      (v) => v,
    );
    expect(over.spread).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(spreadCell(over, (v) => `${v} s`)).toBe('2 s (1 s–3 s); failed in 1 of 4 runs (HTTP 422: too many ports)');
  });

  it('counts a figure a run could not give (a string) as that run failing', () => {
    const over = overRuns(
      [ok(1), ok(2)],
      (r) => r,
      (v) => (v === 2 ? 'not a no-op' : v),
    );
    expect(spreadCell(over, String)).toBe('1; failed in 1 of 2 runs (not a no-op)');
  });

  it('says when every run failed, and when nothing ran', () => {
    expect(
      spreadCell(
        overRuns(
          [failed('timed out')],
          (r) => r,
          (v) => v,
        ),
        String,
      ),
    ).toBe('failed in 1 of 1 runs (timed out)');
    expect(
      spreadCell(
        overRuns(
          [undefined],
          (r) => r,
          (v: number) => v,
        ),
        String,
      ),
    ).toBe('not run');
  });

  it('turns CPU seconds into the wall time at the deployed share', () => {
    expect(
      cpuCell(
        overRuns(
          [ok(0.5), ok(0.25), ok(1)],
          (r) => r,
          (v) => v,
        ),
      ),
    ).toBe('0.50 CPU-s (0.25 CPU-s–1.00 CPU-s) ≈ 3.0 s (1.5 s–6.0 s) at 0.167 vCPU (estimate)');
  });
});
