import type { FaultProxy } from '../harness/kube-proxy/fault-proxy.js';
import { faultMix, seededRandom } from '../harness/kube-proxy/fault-mix.js';
import { plantForeignObjects } from './foreign-objects.js';
import { notQuiet, type PhaseTarget } from './phase-target.js';
import { runStorm, stormScripts } from './storm.js';
import { stormFigures, type StormFigures } from './storm-figures.js';

export interface StormSize {
  /** Memorystore changes; each logs two audit entries, so the storm has twice as many events. */
  readonly changes: number;
  /** Instances changing at the same moment. */
  readonly concurrency: number;
  /** Share of the functions' apiserver requests that fail (0.2: one in five). */
  readonly faultRate: number;
  readonly seed: number;
  readonly idleTimeoutMs: number;
  /** How long no event may come before the storm counts as over (default: the event bridge's). */
  readonly quietMs?: number;
}

export interface StormOutcome {
  readonly figures: StormFigures;
  /** Why the events did not come to rest in time; undefined when they did. */
  readonly notIdle: string | undefined;
  /** Faults injected, by kind (every kind of the mix is a key). */
  readonly injected: Readonly<Record<string, number>>;
  /** Full names of every instance the storm made. */
  readonly everSeen: readonly string[];
}

/**
 * The storm: many instances changing while `proxy`, in front of the functions' apiserver, fails `faultRate` of their
 * requests; then, with the faults off, what the cluster holds beside what a dry-run resync would plan. Objects of
 * others planted first must come out untouched.
 */
export async function stormPhase(target: PhaseTarget, proxy: FaultProxy, size: StormSize): Promise<StormOutcome> {
  const foreign = await plantForeignObjects(target.cluster, await target.cluster.gatewayPorts());
  const scripts = stormScripts('storm', size.changes, seededRandom(size.seed));
  const everSeen = scripts.map((s) => `${target.parent}/instances/${s.id}`);
  const mix = faultMix(size.faultRate, size.seed);
  proxy.setRule(mix.rule);
  let notIdle: string | undefined;
  try {
    await runStorm(target, scripts, size.concurrency);
    notIdle = await notQuiet(target, size.quietMs, size.idleTimeoutMs);
  } finally {
    proxy.setRule(undefined);
  }
  const figures = await stormFigures({
    ...target,
    everSeen,
    foreign,
    deliveries: target.deliveries(),
    dryRunResync: () => target.resync('?dryRun=true'),
  });
  return { figures, notIdle, injected: mix.tally().injected, everSeen };
}
