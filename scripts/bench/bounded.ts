/**
 * A measurement either has a value or failed with a reason: a failure is a figure too, and one failed phase must not
 * stop the others. Every phase runs under a deadline, so a run at thousands of instances always ends.
 */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export class PhaseTimeout extends Error {
  override readonly name = 'PhaseTimeout';
}

const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160);

/**
 * Runs `body` with an AbortSignal that fires at the deadline; the phase fails at the deadline even if `body` ignores
 * the signal (whatever it started is then the caller's to stop).
 */
export async function bounded<T>(
  what: string,
  timeoutMs: number,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<Outcome<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new PhaseTimeout(`timed out after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
  });
  const started = Date.now();
  process.stderr.write(`bench: ${what}...\n`);
  try {
    const value = await Promise.race([body(controller.signal), deadline]);
    process.stderr.write(`bench: ${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return { ok: true, value };
  } catch (error) {
    process.stderr.write(
      `bench: ${what}: FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${reasonOf(error)}\n`,
    );
    return { ok: false, reason: reasonOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The cell text of an outcome: its value formatted, or "failed (reason)". */
export function cell<T>(outcome: Outcome<T> | undefined, format: (value: T) => string): string {
  if (!outcome) return 'not run';
  return outcome.ok ? format(outcome.value) : `failed (${outcome.reason})`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
