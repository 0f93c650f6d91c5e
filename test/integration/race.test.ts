import { jest } from '@jest/globals';
import { racePhase } from '../../dev/end-to-end/race-phase.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Races on the one object every reconcile writes, the egress gateway Service: two dozen instances change at the same
 * moment (dozens of events, each reconciled at once) while two full resyncs run. No port may be handed out twice, no
 * instance may be left out, and neither resync may be starved by the events' writes.
 */
let rig: SyncRig;

beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined); // redeliveries asked for, printed by the Functions Framework
  rig = await startRig({ namespace: 'e2e-race' });
}, 120_000);
afterAll(async () => rig?.stop());

test('two dozen concurrent instance changes and two concurrent resyncs: no duplicate port, no lost update, both resyncs complete', async () => {
  const { figures, notIdle, resyncs, everSeen } = await racePhase(rig, {
    width: 24,
    resyncs: 2,
    deliveriesFirst: 6,
    idleTimeoutMs: 120_000,
  });
  expect(notIdle).toBeUndefined();
  expect(resyncs).toMatchObject([{ status: 200 }, { status: 200 }]); // a failure shows the body, with its reason
  expect(figures.events).toBeGreaterThanOrEqual(2 * 36);
  expect(figures.unacknowledged).toBe(0);
  expect(figures.findings).toMatchObject({
    missing: [],
    halfConfigured: [],
    orphaned: [],
    duplicatePorts: [],
    unservedPorts: [],
  });
  expect(figures.findings.configured.sort()).toEqual([...everSeen].sort());
  expect(figures.divergence).toEqual([]);
  expect(figures.foreignTouched).toEqual([]);
}, 240_000);
