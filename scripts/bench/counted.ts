import { formatFailures, type RequestSummary } from './audit-log.js';
import { bounded, sleep, type Outcome } from './bounded.js';
import { trafficSince, type TrafficCounts } from './counting-proxy.js';
import type { SizeStack } from './bench-stack.js';
import { processCpuSeconds } from './process-cpu.js';

/** CPU seconds (user + system) spent during the action by the apiserver and, when known, by the function process. */
export interface CpuCost {
  /** The kube-apiserver's, its own background work included (see SizeStack.apiserverIdleCpuPerS). */
  readonly apiserverS: number;
  readonly functionS?: number;
}

/** What one measured action cost the apiserver: wall time, the user's requests (audit log), and traffic (proxy). */
export interface Counted<T> {
  readonly result: T;
  readonly wallMs: number;
  readonly requests: RequestSummary;
  readonly traffic: TrafficCounts;
  readonly cpu: CpuCost;
}

// The audit line of a request is written as its response completes; a short wait lets the last ones land.
const AUDIT_LAG_MS = 500;

/**
 * Runs `action` and counts what `user` asked of the apiserver meanwhile, and the CPU the apiserver and the function
 * process `functionPid` spent. Nothing else may use the proxy meanwhile.
 */
export async function counted<T>(
  stack: SizeStack,
  user: string,
  action: () => Promise<T>,
  functionPid?: number,
): Promise<Counted<T>> {
  const mark = stack.audit.mark();
  const before = await stack.proxy.counts();
  const apiserverBefore = processCpuSeconds(stack.apiserverPid);
  const functionBefore = functionPid === undefined ? undefined : processCpuSeconds(functionPid);
  const started = performance.now();
  const result = await action();
  const wallMs = performance.now() - started;
  // Read before the audit lag, so the apiserver's idle work during the wait is not counted.
  const apiserverS = processCpuSeconds(stack.apiserverPid) - apiserverBefore;
  const functionS = functionBefore === undefined ? undefined : processCpuSeconds(functionPid!) - functionBefore;
  await sleep(AUDIT_LAG_MS);
  return {
    result,
    wallMs,
    requests: stack.audit.summarize(mark, user),
    traffic: trafficSince(before, await stack.proxy.counts()),
    cpu: { apiserverS, ...(functionS !== undefined ? { functionS } : {}) },
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
  functionPid?: number,
): Promise<Outcome<Counted<T>>> {
  const mark = stack.audit.mark();
  const outcome = await bounded(what, timeoutMs, (signal) => counted(stack, user, () => action(signal), functionPid));
  if (outcome.ok) return outcome;
  const sofar = stack.audit.summarize(mark, user);
  const failures = sofar.failures.size > 0 ? ` (${formatFailures(sofar)})` : '';
  return {
    ok: false,
    reason: `${outcome.reason}; ${sofar.requests.toLocaleString('en-US')} requests by then${failures}`,
  };
}
