import { racePhase as race } from '../../dev/end-to-end/race-phase.js';
import { startPhaseStack, type SharedParts } from './chaos-stack.js';
import { stormRow, type PhaseRow } from './figures.js';
import { describeFindings } from './storm-phase.js';

/**
 * The race (dev/end-to-end/race-phase.ts) at the chaos run's size, on a stack of its own, as a row: `width` instances
 * at once against `resyncs` full resyncs. A resync that does not answer 200 is starved.
 */
export async function racePhase(parts: SharedParts, name: string, width: number, resyncs: number): Promise<PhaseRow> {
  const started = Date.now();
  const stack = await startPhaseStack(parts, name);
  try {
    const outcome = await race(stack, {
      width,
      resyncs,
      deliveriesFirst: Math.min(10, width),
      idleTimeoutMs: 300_000,
      quietMs: 3000,
    });
    const { figures } = outcome;
    const row = stormRow(name, Math.round((Date.now() - started) / 1000), figures);
    const starved = outcome.resyncs.filter((a) => a.status !== 200);
    const details = [
      outcome.notIdle?.slice(0, 200),
      ...starved.map((a) => `resync answered ${a.status}: ${JSON.stringify(a.body).slice(0, 200)}`),
      ...describeFindings(figures),
    ].filter((d): d is string => d !== undefined);
    return { ...row, starvedResyncs: starved.length, ...(details.length ? { note: details.join('; ') } : {}) };
  } finally {
    await stack.stop();
  }
}
