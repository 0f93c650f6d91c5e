import { formatFailures, type RequestSummary } from './audit-log.js';
import { bounded, sleep, type Outcome } from './bounded.js';
import { trafficSince, type TrafficCounts } from './counting-proxy.js';
import type { SizeStack } from './bench-stack.js';

/** What one measured action cost the apiserver: wall time, the user's requests (audit log), and traffic (proxy). */
export interface Counted<T> {
  readonly result: T;
  readonly wallMs: number;
  readonly requests: RequestSummary;
  readonly traffic: TrafficCounts;
}

// The audit line of a request is written as its response completes; a short wait lets the last ones land.
const AUDIT_LAG_MS = 500;

/** Runs `action` and counts what `user` asked of the apiserver meanwhile. Nothing else may use the proxy meanwhile. */
export async function counted<T>(stack: SizeStack, user: string, action: () => Promise<T>): Promise<Counted<T>> {
  const mark = stack.audit.mark();
  const before = await stack.proxy.counts();
  const started = performance.now();
  const result = await action();
  const wallMs = performance.now() - started;
  await sleep(AUDIT_LAG_MS);
  return {
    result,
    wallMs,
    requests: stack.audit.summarize(mark, user),
    traffic: trafficSince(before, await stack.proxy.counts()),
  };
}

/**
 * bounded(counted(...)): on a failure (a deadline, most often) the reason also says how many requests the user had
 * made by then, so a timed-out phase still shows how far it got.
 */
export async function boundedCount<T>(
  stack: SizeStack,
  user: string,
  what: string,
  timeoutMs: number,
  action: (signal: AbortSignal) => Promise<T>,
): Promise<Outcome<Counted<T>>> {
  const mark = stack.audit.mark();
  const outcome = await bounded(what, timeoutMs, (signal) => counted(stack, user, () => action(signal)));
  if (outcome.ok) return outcome;
  const sofar = stack.audit.summarize(mark, user);
  const failures = sofar.failures.size > 0 ? ` (${formatFailures(sofar)})` : '';
  return {
    ok: false,
    reason: `${outcome.reason}; ${sofar.requests.toLocaleString('en-US')} requests by then${failures}`,
  };
}
