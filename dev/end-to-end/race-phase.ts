import { plantForeignObjects } from './foreign-objects.js';
import { notQuiet, type PhaseTarget } from './phase-target.js';
import { runStorm, type InstanceScript } from './storm.js';
import { stormFigures, type StormFigures } from './storm-figures.js';

export interface RaceSize {
  /** Instances changing at the same moment: created, half of them then given read replicas. */
  readonly width: number;
  /** Full resyncs started at once while the instances change. */
  readonly resyncs: number;
  /** The resyncs start once the event function has answered this many deliveries (or after a minute). */
  readonly deliveriesFirst: number;
  readonly idleTimeoutMs: number;
  readonly quietMs?: number;
}

export interface RaceOutcome {
  readonly figures: StormFigures;
  readonly notIdle: string | undefined;
  /** Each resync's answer: one that is not 200 was starved by the events' writes. */
  readonly resyncs: ReadonlyArray<{ status: number; body: Record<string, unknown> }>;
  readonly everSeen: readonly string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Races on the one object every reconcile writes, the egress gateway Service: `width` instances change at the same
 * moment while `resyncs` full resyncs run, in the thick of the events. No port may be handed out twice, no instance
 * left out, and no resync starved.
 */
export async function racePhase(target: PhaseTarget, size: RaceSize): Promise<RaceOutcome> {
  const foreign = await plantForeignObjects(target.cluster, await target.cluster.gatewayPorts());
  const scripts: InstanceScript[] = Array.from({ length: size.width }, (_, i) => ({
    id: `race-${i}`,
    steps: i % 2 === 0 ? ['create', 'replicas'] : ['create'],
  }));
  const everSeen = scripts.map((s) => `${target.parent}/instances/${s.id}`);
  const storm = runStorm(target, scripts, size.width);
  const deadline = Date.now() + 60_000;
  while (target.deliveries().length < size.deliveriesFirst && Date.now() < deadline) await sleep(20);
  const resyncs = await Promise.all(Array.from({ length: size.resyncs }, () => target.resync()));
  await storm;
  const notIdle = await notQuiet(target, size.quietMs, size.idleTimeoutMs);
  const figures = await stormFigures({
    ...target,
    everSeen,
    foreign,
    deliveries: target.deliveries(),
    dryRunResync: () => target.resync('?dryRun=true'),
  });
  return { figures, notIdle, resyncs, everSeen };
}
