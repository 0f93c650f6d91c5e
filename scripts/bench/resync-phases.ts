import { fieldManager } from '../../shared/model/k8s-object.js';
import type { TokenIssuer } from '../../dev/harness/id-tokens.js';
import { SYNC_USER, type SizeStack } from './bench-stack.js';
import { bounded, type Outcome } from './bounded.js';
import { boundedCount, type Counted } from './counted.js';
import type { FunctionProcess } from './function-process.js';
import { kubectlApply } from './kubectl.js';
import { countObjects } from './count-objects.js';
import { callResync, resyncFailure, type ResyncAnswer } from './resync-call.js';

/** Generous for a loaded 2-core machine, and still an end: a minute plus 150 ms per instance. */
export const phaseTimeoutMs = (size: number): number => 60_000 + size * 150;

export interface ResyncRun extends Counted<ResyncAnswer> {
  /** Why it is not a success (HTTP status, instance errors, objects missing, writes in a no-op), if it is not. */
  readonly failure?: string;
  /** VmHWM of the function process after the call, MiB. */
  readonly peakMiB: number;
}

/** kubectl apply --server-side of the rendered objects, as admin through the counting proxy. */
export function kubectlConverge(
  stack: SizeStack,
  manifest: string,
  size: number,
  ownerId: string,
): Promise<Outcome<Counted<number>>> {
  return boundedCount(stack, 'admin', `N=${size}: kubectl apply --server-side`, phaseTimeoutMs(size), (signal) =>
    kubectlApply(stack.adminKubeconfig, manifest, fieldManager(ownerId), signal),
  );
}

const SEED_PARALLELISM = 4;

/**
 * Writes the converged state with kubectl, unmeasured, when the project could not: the later phases need it. In a few
 * kubectl processes at once, since nothing is timed here.
 */
export function seedWithKubectl(
  stack: SizeStack,
  manifests: readonly string[],
  size: number,
  ownerId: string,
): Promise<Outcome<number[]>> {
  return bounded(`N=${size}: write the converged state with kubectl (not measured)`, phaseTimeoutMs(size), (signal) =>
    Promise.all(
      manifests.map((manifest) => kubectlApply(stack.adminKubeconfig, manifest, fieldManager(ownerId), signal)),
    ),
  );
}

/** The objects in `parts` roughly equal slices, for seedWithKubectl. */
export const slices = <T>(items: readonly T[], parts = SEED_PARALLELISM): T[][] =>
  Array.from({ length: parts }, (_, i) => items.filter((_item, k) => k % parts === i)).filter(
    (slice) => slice.length > 0,
  );

async function checkConverged(
  stack: SizeStack,
  namespace: string,
  expected: ReadonlyMap<string, number>,
): Promise<string | undefined> {
  const actual = await countObjects(stack.controlPlane.adminKubeconfigPath, namespace);
  const missing = [...expected].filter(([kind, n]) => (actual.get(kind) ?? 0) < n);
  return missing.length === 0
    ? undefined
    : `cluster holds ${missing.map(([kind, n]) => `${actual.get(kind) ?? 0}/${n} ${kind}`).join(', ')}`;
}

/**
 * One resync through the function, counted. `expected` (objects per kind) is checked in the cluster afterwards; with
 * `noop`, any write request is a failure: a resync of a converged cluster must change nothing.
 */
export async function measuredResync(
  what: string,
  stack: SizeStack,
  fn: FunctionProcess,
  issuer: TokenIssuer,
  check: { size: number; namespace: string; expected: ReadonlyMap<string, number>; noop: boolean },
): Promise<Outcome<ResyncRun>> {
  const outcome = await boundedCount(
    stack,
    SYNC_USER,
    `N=${check.size}: ${what}`,
    phaseTimeoutMs(check.size),
    (signal) => callResync(fn.url, issuer, signal),
    fn.pid,
  );
  if (!outcome.ok) return outcome;
  const run = outcome.value;
  const peakMiB = fn.memory().peakMiB;
  const writes =
    check.noop && run.requests.writes > 0 ? `not a no-op: ${run.requests.writes} write requests` : undefined;
  const problems = [
    resyncFailure(run.result),
    writes,
    await checkConverged(stack, check.namespace, check.expected),
  ].filter(Boolean);
  return { ok: true, value: { ...run, peakMiB, ...(problems.length > 0 ? { failure: problems.join('; ') } : {}) } };
}
