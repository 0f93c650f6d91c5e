import { plantForeignObjects } from '../../dev/end-to-end/foreign-objects.js';
import { runStorm, type InstanceScript } from '../../dev/end-to-end/storm.js';
import { stormFigures } from '../../dev/end-to-end/storm-figures.js';
import { PARENT, startPhaseStack, type SharedParts } from './chaos-stack.js';
import { stormRow, type PhaseRow } from './figures.js';
import { describeFindings } from './storm-phase.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `width` instances change at the same moment (created, half of them then given read replicas) while `resyncs` full
 * resyncs run: every reconcile races for the egress gateway Service. A resync that does not answer 200 is starved.
 */
export async function racePhase(parts: SharedParts, name: string, width: number, resyncs: number): Promise<PhaseRow> {
  const started = Date.now();
  const stack = await startPhaseStack(parts, name);
  try {
    const foreign = await plantForeignObjects(stack.cluster, await stack.cluster.gatewayPorts());
    const scripts: InstanceScript[] = Array.from({ length: width }, (_, i) => ({
      id: `race-${i}`,
      steps: i % 2 === 0 ? ['create', 'replicas'] : ['create'],
    }));
    const storm = runStorm({ redis: stack.redis, memorystore: stack.memorystore, parent: PARENT }, scripts, width);
    while (stack.bridge.deliveries.length < Math.min(10, width) && Date.now() - started < 60_000) await sleep(20);
    const answers = await Promise.all(Array.from({ length: resyncs }, () => stack.resync()));
    await storm;
    const settled = await stack.bridge.idle(3000, 300_000).then(
      () => undefined,
      (error: Error) => error.message.slice(0, 200),
    );
    const figures = await stormFigures({
      ...stack,
      everSeen: scripts.map((s) => `${PARENT}/instances/${s.id}`),
      foreign,
      deliveries: stack.bridge.deliveries,
      dryRunResync: () => stack.resync('?dryRun=true'),
    });
    const row = stormRow(name, Math.round((Date.now() - started) / 1000), figures);
    const starved = answers.filter((a) => a.status !== 200);
    const details = [
      settled,
      ...starved.map((a) => `resync answered ${a.status}: ${JSON.stringify(a.body).slice(0, 200)}`),
      ...describeFindings(figures),
    ].filter((d): d is string => d !== undefined);
    return { ...row, starvedResyncs: starved.length, ...(details.length ? { note: details.join('; ') } : {}) };
  } finally {
    await stack.stop();
  }
}
