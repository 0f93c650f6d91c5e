import type { StormFigures } from '../../dev/end-to-end/storm-figures.js';
import { stormPhase as storm, type StormSize } from '../../dev/end-to-end/storm-phase.js';
import { startPhaseStack, type SharedParts } from './chaos-stack.js';
import { stormRow, type PhaseRow } from './figures.js';

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

/** The storm (dev/end-to-end/storm-phase.ts) at the chaos run's size, on a stack of its own, as a row. */
export async function stormPhase(parts: SharedParts, name: string, size: StormSize): Promise<PhaseRow> {
  const started = Date.now();
  const stack = await startPhaseStack(parts, name);
  try {
    const { figures, notIdle, injected } = await storm(stack, stack.proxy, size);
    const row = stormRow(name, Math.round((Date.now() - started) / 1000), figures);
    const details = [
      notIdle?.slice(0, 200),
      figures.dryRunStatus === 200 ? undefined : `dry-run resync answered ${figures.dryRunStatus}`,
      Object.values(injected).some((n) => n > 0) ? undefined : 'no fault was injected',
      ...describeFindings(figures),
    ];
    const note = details.filter((d): d is string => d !== undefined).join('; ');
    return { ...row, ...(note ? { note } : {}) };
  } finally {
    await stack.stop();
  }
}
