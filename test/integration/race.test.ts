import { jest } from '@jest/globals';
import { plantForeignObjects, type ForeignSnapshot } from '../../dev/end-to-end/foreign-objects.js';
import { runStorm, type InstanceScript } from '../../dev/end-to-end/storm.js';
import { stormFigures } from '../../dev/end-to-end/storm-figures.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Races on the one object every reconcile writes, the egress gateway Service: two dozen instances change at the same
 * moment (dozens of events, each reconciled at once) while two full resyncs run. No port may be handed out twice, no
 * instance may be left out, and neither resync may be starved by the events' writes.
 */
let rig: SyncRig;
let foreign: ForeignSnapshot;
const PARENT = 'projects/test-project/locations/us-central1';

beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined); // redeliveries asked for, printed by the Functions Framework
  rig = await startRig({ namespace: 'e2e-race' });
  foreign = await plantForeignObjects(rig.cluster, await rig.cluster.gatewayPorts());
}, 120_000);
afterAll(async () => rig?.stop());

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the event function has answered `count` deliveries, so the resyncs start in the thick of it. */
async function eventsUnderWay(count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (rig.deliveries().length < count && Date.now() < deadline) await sleep(20);
}

test('two dozen concurrent instance changes and two concurrent resyncs: no duplicate port, no lost update, both resyncs complete', async () => {
  const scripts: InstanceScript[] = Array.from({ length: 24 }, (_, i) => ({
    id: `race-${i}`,
    steps: i % 2 === 0 ? ['create', 'replicas'] : ['create'],
  }));
  const storm = runStorm({ redis: rig.redis, memorystore: rig.memorystore, parent: PARENT }, scripts, scripts.length);
  await eventsUnderWay(6);
  const resyncs = await Promise.all([rig.resync(), rig.resync()]);
  await storm;
  await rig.idle(120_000);

  expect(resyncs.map((r) => r.status)).toEqual([200, 200]);
  const figures = await stormFigures({
    ...rig,
    everSeen: scripts.map((s) => `${PARENT}/instances/${s.id}`),
    foreign,
    deliveries: rig.deliveries(),
    dryRunResync: () => rig.resync('?dryRun=true'),
  });
  expect(figures.events).toBeGreaterThanOrEqual(2 * 36);
  expect(figures.unacknowledged).toBe(0);
  expect(figures.findings).toMatchObject({
    missing: [],
    halfConfigured: [],
    orphaned: [],
    duplicatePorts: [],
    unservedPorts: [],
  });
  expect(figures.findings.configured.sort()).toEqual(scripts.map((s) => `${PARENT}/instances/${s.id}`).sort());
  expect(figures.divergence).toEqual([]);
  expect(figures.foreignTouched).toEqual([]);
}, 240_000);
