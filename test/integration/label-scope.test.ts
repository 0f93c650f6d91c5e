import { ANNOTATION_INSTANCE_NAME } from '../../shared/model/k8s-object.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * INSTANCE_LABEL_SELECTOR on the whole event path: only instances labelled for this mesh get objects, and one whose
 * labels change so that it is no longer selected loses them, by its own UpdateInstance event.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-label-scope', env: { INSTANCE_LABEL_SELECTOR: 'mesh-egress=enabled' } });
}, 120_000);
afterAll(async () => rig?.stop());

async function instancesWithObjects(): Promise<string[]> {
  const names = [...(await rig.cluster.istioObjects()).values()].map(
    (o) => o.metadata.annotations?.[ANNOTATION_INSTANCE_NAME] ?? '',
  );
  return [...new Set(names)].map((n) => n.split('/').at(-1)!).sort();
}

test('only instances whose labels match get objects; one relabelled out of the selector loses them', async () => {
  const picked = await rig.createInstance('picked', { labels: { 'mesh-egress': 'enabled', team: 'orders' } });
  await rig.createInstance('ignored', { labels: { team: 'billing' } });
  await rig.idle();
  expect(await instancesWithObjects()).toEqual(['picked']);

  const [operation] = await rig.redis.updateInstance({
    updateMask: { paths: ['labels'] },
    instance: { name: picked, labels: { team: 'orders' } },
  });
  await operation.promise();
  await rig.idle();
  expect(await instancesWithObjects()).toEqual([]);

  const resync = await rig.resync();
  expect(resync.status).toBe(200);
  expect(resync.body['errors']).toEqual([]);
  expect(await instancesWithObjects()).toEqual([]);
}, 90_000);
