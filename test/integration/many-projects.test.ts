import { instanceNameOf, type KubeObject } from '../../shared/model/k8s-object.js';
import { PROJECT, startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Memorystore in several projects (MEMORYSTORE_PROJECTS), their audit entries on one events topic as an aggregated
 * (folder or organization) sink routes them: the local API serves three projects, the deployment syncs two.
 */
const SECOND = 'second-project';
const UNLISTED = 'unlisted-project';
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({
    namespace: 'e2e-projects',
    otherProjects: [SECOND, UNLISTED],
    env: { MEMORYSTORE_PROJECTS: `${PROJECT},${SECOND}` },
  });
}, 120_000);
afterAll(async () => rig?.stop());

const nameIn = (project: string, id: string) => `projects/${project}/locations/us-central1/instances/${id}`;

/** Creates a Redis instance in `project` through its API, and waits until its audit entries have been handled. */
async function createIn(project: string, id: string): Promise<string> {
  const [operation] = await rig.redis.createInstance({
    parent: `projects/${project}/locations/us-central1`,
    instanceId: id,
    instance: { tier: 'BASIC', memorySizeGb: 1 },
  });
  await operation.promise();
  await rig.memorystore.settled();
  await rig.idle();
  return nameIn(project, id);
}

async function objectsByInstance(): Promise<Map<string, KubeObject[]>> {
  const byInstance = new Map<string, KubeObject[]>();
  for (const object of (await rig.cluster.istioObjects()).values()) {
    const name = instanceNameOf(object) ?? '';
    byInstance.set(name, [...(byInstance.get(name) ?? []), object]);
  }
  return byInstance;
}

test('an event of an instance in the second listed project reconciles it, as one of the first', async () => {
  const first = await createIn(PROJECT, 'first-cache');
  const second = await createIn(SECOND, 'second-cache');
  const objects = await objectsByInstance();
  expect(new Set(objects.keys())).toEqual(new Set([first, second]));
  expect(
    objects
      .get(second)
      ?.map((o) => o.kind)
      .sort(),
  ).toEqual(['DestinationRule', 'Gateway', 'ServiceEntry', 'VirtualService']);
});

test('an event of an instance of a project not listed is acknowledged with the reason, changing nothing', async () => {
  const before = JSON.stringify([...(await rig.cluster.istioObjects()).entries()]);
  await createIn(UNLISTED, 'stray-cache');
  expect(JSON.stringify([...(await rig.cluster.istioObjects()).entries()])).toEqual(before);
  const acknowledged = rig
    .logs()
    .filter(
      (line) => line['message'] === 'event acknowledged without action' && String(line['reason']).includes(UNLISTED),
    );
  expect(acknowledged.length).toBeGreaterThan(0);
  expect(acknowledged[0]!['reason']).toMatch(
    /instance is in project unlisted-project, not MEMORYSTORE_PROJECT\(S\) test-project, second-project/,
  );
  // Acknowledged, not failed: nothing is redelivered.
  expect(rig.deliveries().every((d) => d.status < 300)).toBe(true);
});

test('a resync lists both projects: what the second lost comes back; the unlisted stays out', async () => {
  const second = nameIn(SECOND, 'second-cache');
  for (const object of (await objectsByInstance()).get(second) ?? []) await rig.cluster.api.delete(object);
  expect((await objectsByInstance()).has(second)).toBe(false);

  const { status, body } = await rig.resync();
  expect(status).toBe(200);
  expect(body['errors']).toEqual([]);
  const objects = await objectsByInstance();
  expect(new Set(objects.keys())).toEqual(new Set([nameIn(PROJECT, 'first-cache'), second]));
});
