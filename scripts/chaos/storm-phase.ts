import { faultMix, seededRandom } from '../../dev/harness/kube-proxy/fault-mix.js';
import { plantForeignObjects } from '../../dev/end-to-end/foreign-objects.js';
import { runStorm, stormScripts } from '../../dev/end-to-end/storm.js';
import { stormFigures, type StormFigures } from '../../dev/end-to-end/storm-figures.js';
import { PARENT, startPhaseStack, type SharedParts } from './chaos-stack.js';
import { stormRow, type PhaseRow } from './figures.js';

export interface StormSize {
  /** Memorystore changes; each logs two audit entries, so the storm has twice as many events. */
  readonly changes: number;
  /** Instances changing at the same moment. */
  readonly concurrency: number;
  readonly faultRate: number;
  readonly seed: number;
  readonly idleTimeoutMs: number;
}

/** What a reader needs to chase a bad figure: the first few objects behind it. */
export function describeFindings(figures: StormFigures): string[] {
  const first = (items: readonly string[]): string => items.slice(0, 4).join(', ');
  return [
    figures.divergence.length
      ? `planned by a dry-run resync: ${first(figures.divergence.map((d) => `${d.action} ${d.object.kind}/${d.object.name}`))}`
      : undefined,
    figures.findings.orphaned.length ? `orphaned: ${first(figures.findings.orphaned)}` : undefined,
    figures.findings.halfConfigured.length ? `half-configured: ${first(figures.findings.halfConfigured)}` : undefined,
    figures.findings.missing.length ? `lost: ${first(figures.findings.missing)}` : undefined,
  ].filter((d): d is string => d !== undefined);
}

/** The storm: many instances changing while the apiserver fails `faultRate` of the functions' requests. */
export async function stormPhase(parts: SharedParts, name: string, size: StormSize): Promise<PhaseRow> {
  const started = Date.now();
  const stack = await startPhaseStack(parts, name);
  try {
    const foreign = await plantForeignObjects(stack.cluster, await stack.cluster.gatewayPorts());
    const scripts = stormScripts('storm', size.changes, seededRandom(size.seed));
    const mix = faultMix(size.faultRate, size.seed);
    stack.proxy.setRule(mix.rule);
    await runStorm({ redis: stack.redis, memorystore: stack.memorystore, parent: PARENT }, scripts, size.concurrency);
    const settled = await stack.bridge.idle(3000, size.idleTimeoutMs).then(
      () => undefined,
      (error: Error) => error.message.slice(0, 200),
    );
    stack.proxy.setRule(undefined);
    const figures = await stormFigures({
      ...stack,
      everSeen: scripts.map((s) => `${PARENT}/instances/${s.id}`),
      foreign,
      deliveries: stack.bridge.deliveries,
      dryRunResync: () => stack.resync('?dryRun=true'),
    });
    const injected = Object.values(mix.tally().injected).reduce((a, b) => a + b, 0);
    const row = stormRow(name, Math.round((Date.now() - started) / 1000), figures);
    const details = [
      settled,
      figures.dryRunStatus === 200 ? undefined : `dry-run resync answered ${figures.dryRunStatus}`,
      injected === 0 ? 'no fault was injected' : undefined,
      ...describeFindings(figures),
    ];
    const note = details.filter((d): d is string => d !== undefined).join('; ');
    return { ...row, ...(note ? { note } : {}) };
  } finally {
    await stack.stop();
  }
}
