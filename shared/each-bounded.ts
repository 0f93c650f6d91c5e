/**
 * Runs `work` for each item, at most `limit` at once, and returns the results in the items' order. A few workers take
 * the next item as they finish one, so an item costs only the promises of its own work: p-limit wraps each task in
 * some eight more, and under the Functions Framework, whose per-invocation `domain` runs async hooks for every
 * promise, those were a fifth of a write's promises (npm run bench:write-layers). As with p-limit, the first failure
 * rejects and the items already started or still waiting run on.
 */
export async function eachBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R> | R,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
