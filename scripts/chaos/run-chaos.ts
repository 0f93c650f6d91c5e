/**
 * `npm run chaos`: the fuzz, fault and race tests at full size on the local stack, with figures. Each phase is
 * bounded in time; the run stops every component it started and exits non-zero if any figure shows a defect.
 */
import { pubSubClient } from '../../dev/harness/pubsub/pstest-server.js';
import { deliveryLimit } from '../../dev/end-to-end/delivery-limit.js';
import { startRigStack } from '../../dev/rig/stack.js';
import { PROJECT, SYNC_USER, type SharedParts } from './chaos-stack.js';
import { isBad, table, type PhaseRow } from './figures.js';
import { crashPhase } from './crash-phase.js';
import { fullRangePhase, FULL_RANGE } from './full-range-phase.js';
import { fuzzPhase } from './fuzz-phase.js';
import { oversizedPhase } from './oversized-phase.js';
import { racePhase } from './race-phase.js';
import { stormPhase } from './storm-phase.js';
import { stolenIdentityPhase } from './stolen-identity-phase.js';

const SEED = Number(process.env['CHAOS_SEED'] ?? 20261125);
const say = (text: string): boolean => process.stderr.write(`${text}\n`);

/** Runs a phase within `minutes`; a phase that overruns (or fails) becomes a row saying so, and the run goes on. */
async function bounded(name: string, minutes: number, phase: () => Promise<PhaseRow>): Promise<PhaseRow> {
  say(`chaos: ${name}...`);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<PhaseRow>((resolve) => {
    timer = setTimeout(
      () => resolve({ phase: name, seconds: minutes * 60, note: `did not finish within ${minutes} minutes` }),
      minutes * 60_000,
    );
  });
  const row = await Promise.race([
    phase().catch((error: Error) => ({
      phase: name,
      seconds: Math.round((Date.now() - started) / 1000),
      note: `failed: ${error.message.slice(0, 300)}`,
    })),
    deadline,
  ]);
  clearTimeout(timer);
  say(`chaos: ${name} done in ${Math.round((Date.now() - started) / 1000)} s`);
  return row;
}

async function main(): Promise<number> {
  const limit = await deliveryLimit();
  const stack = await startRigStack({ users: [SYNC_USER], issuer: true });
  const pubsub = pubSubClient(stack.pubsubHost, PROJECT);
  const parts: SharedParts = {
    controlPlane: stack.controlPlane,
    pubsub,
    pubsubHost: stack.pubsubHost,
    issuer: stack.issuer!,
  };
  const rows: PhaseRow[] = [];
  try {
    rows.push(await bounded('fuzz', 15, () => fuzzPhase(10_000, SEED)));
    rows.push(
      await bounded('storm', 10, () =>
        stormPhase(parts, 'chaos-storm', {
          changes: 250,
          concurrency: 25,
          faultRate: 0.2,
          seed: SEED,
          idleTimeoutMs: 480_000,
          quietMs: 3000,
        }),
      ),
    );
    rows.push(await bounded('race', 6, () => racePhase(parts, 'chaos-race', 50, 4)));
    rows.push(await bounded('crash-at-every-step', 8, () => crashPhase(parts, 'chaos-crash', 9)));
    rows.push(await bounded('oversized-record', 4, () => oversizedPhase(parts, 'chaos-oversized')));
    rows.push(await bounded('full-range', 6, () => fullRangePhase(parts, 'chaos-full-range', FULL_RANGE(SEED))));
    rows.push(
      await bounded('stolen-identity', 6, () =>
        stolenIdentityPhase(parts, 'chaos-stolen-identity', { attacks: 300, instances: 10, seed: SEED }),
      ),
    );
  } finally {
    await Promise.allSettled([pubsub.close()]);
    await stack.stop();
  }
  process.stdout.write(
    `\nChaos run, seed ${SEED}, 20% apiserver fault mix in the storm, delivery limit ${limit}:\n\n${table(rows)}\n`,
  );
  return rows.some((row) => isBad(row, limit)) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
