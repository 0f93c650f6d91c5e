import { instanceNameOf, ISTIO_API_VERSION } from '../../shared/model/k8s-object.js';
import { objectName } from '../../shared/render/names.js';
import { nameOf } from '../fixtures/instances.js';
import { resetRig } from './support/fresh-state.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * Memorystore data as the real APIs may report it, through the local API to the functions on the real stack: data
 * the objects cannot hold, and audit entries that do not name their instance.
 */
let rig: SyncRig;
beforeAll(async () => {
  rig = await startRig({ namespace: 'e2e-memorystore-data' });
}, 120_000);
afterAll(async () => rig?.stop());
beforeEach(() => resetRig(rig), 120_000);

type ReportRecord = { action: string; outcome: string; object: { kind: string }; reason?: string };

const specsOf = async (id: string): Promise<Array<[string, unknown]>> =>
  [...(await rig.cluster.istioObjects()).entries()]
    .filter(([, o]) => instanceNameOf(o) === nameOf(id).full)
    .map(([key, o]) => [key, o.spec]);

describe('data the objects cannot hold is that instance’s error alone', () => {
  test('a resync with one instance reporting port 70000 configures the others and reports the bad one', async () => {
    const bad = await rig.createInstance('bad-cache');
    await rig.createInstance('good-cache');
    const badBefore = await specsOf('bad-cache');
    await rig.memorystore.readdress(bad, { port: 70000 });
    await rig.settle();
    // Drift the resync must repair beside the bad instance: the good instance's ServiceEntry deleted by hand.
    const goodEntry = objectName(nameOf('good-cache'));
    await rig.cluster.api.delete({
      apiVersion: ISTIO_API_VERSION,
      kind: 'ServiceEntry',
      metadata: { name: goodEntry, namespace: rig.namespace },
    });

    const { status, body } = await rig.resync();
    expect(status).toBe(200);
    const reason = `primary endpoint ${rig.memorystore.instances().find((i) => i.name === bad)?.host}:70000: port 70000 is not in 1-65535`;
    expect(body['errors']).toEqual([expect.objectContaining({ instance: bad, message: reason, retryable: false })]);
    expect((await rig.cluster.istioObjects()).has(`ServiceEntry/${goodEntry}`)).toBe(true);
    // The bad instance keeps what it had, and each of its objects' records says why nothing was written.
    expect(await specsOf('bad-cache')).toEqual(badBefore);
    const records = (body['records'] as ReportRecord[]).filter((r) => r.action === 'skipped');
    expect(records.map((r) => r.reason)).toEqual(badBefore.map(() => reason));
  });
});
