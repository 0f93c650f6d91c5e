/** Several runs of one figure: their median and their range, so a reader sees how much a figure moves between runs. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** The spread of the values, or undefined when there are none (every run failed). Median of an even count: the mean
 * of the middle two. */
export function spreadOf(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length };
}

/** "1.2 (1.1–1.5)", or "1.2" alone when the range shows as one value (one run, or runs alike to the digits). */
export function formatSpread(spread: Spread, format: (value: number) => string): string {
  const [median, min, max] = [format(spread.median), format(spread.min), format(spread.max)];
  return min === max ? median : `${median} (${min}–${max})`;
}

/**
 * Whether a per-event figure stays flat as N grows: each size's median within `tolerance` (0.2: 20%) of the smallest
 * size's, either way. Undefined when fewer than two sizes have a figure.
 */
export function flatWithin(
  bySize: ReadonlyArray<{ readonly size: number; readonly median: number }>,
  tolerance: number,
): { readonly flat: boolean; readonly worst: number } | undefined {
  if (bySize.length < 2) return undefined;
  const base = [...bySize].sort((a, b) => a.size - b.size)[0]!.median;
  if (base === 0) {
    const flat = bySize.every((s) => s.median === 0);
    return { flat, worst: flat ? 0 : Number.POSITIVE_INFINITY };
  }
  const worst = Math.max(...bySize.map((s) => Math.abs(s.median / base - 1)));
  return { flat: worst <= tolerance, worst };
}
