import { flatWithin, formatSpread, spreadOf } from '../../../scripts/bench/spread.js';

describe('spreadOf', () => {
  it.each([
    [[3], { median: 3, min: 3, max: 3, runs: 1 }],
    [[5, 1, 3], { median: 3, min: 1, max: 5, runs: 3 }],
    [[4, 1, 2, 10], { median: 3, min: 1, max: 10, runs: 4 }],
  ])('of %j', (values, expected) => {
    expect(spreadOf(values)).toEqual(expected);
  });

  it('has nothing to say of no runs', () => {
    expect(spreadOf([])).toBeUndefined();
  });
});

describe('formatSpread', () => {
  const oneDigit = (v: number): string => v.toFixed(1);
  it('shows the median and the range', () => {
    expect(formatSpread({ median: 2, min: 1.5, max: 3.25, runs: 3 }, oneDigit)).toBe('2.0 (1.5–3.3)');
  });
  it('shows one value alone', () => {
    expect(formatSpread({ median: 2, min: 2, max: 2, runs: 1 }, oneDigit)).toBe('2.0');
  });
  it('shows a range too narrow for the digits as one value', () => {
    expect(formatSpread({ median: 33.31, min: 33.3, max: 33.34, runs: 2 }, oneDigit)).toBe('33.3');
  });
});

describe('flatWithin', () => {
  it('is flat when every size is within the tolerance of the smallest', () => {
    const result = flatWithin(
      [
        { size: 5000, median: 11.5 },
        { size: 100, median: 10 },
        { size: 1000, median: 9 },
      ],
      0.2,
    );
    expect(result?.flat).toBe(true);
    expect(result?.worst).toBeCloseTo(0.15);
  });

  it('is not flat when a larger size grows past it', () => {
    const result = flatWithin(
      [
        { size: 100, median: 28.7 },
        { size: 5000, median: 979.3 },
      ],
      0.2,
    );
    expect(result?.flat).toBe(false);
    expect(result?.worst).toBeCloseTo(979.3 / 28.7 - 1);
  });

  it('compares zeros as zeros', () => {
    expect(
      flatWithin(
        [
          { size: 100, median: 0 },
          { size: 1000, median: 0 },
        ],
        0.2,
      ),
    ).toEqual({ flat: true, worst: 0 });
    expect(
      flatWithin(
        [
          { size: 100, median: 0 },
          { size: 1000, median: 1 },
        ],
        0.2,
      )?.flat,
    ).toBe(false);
  });

  it('needs two sizes', () => {
    expect(flatWithin([{ size: 100, median: 1 }], 0.2)).toBeUndefined();
  });
});
