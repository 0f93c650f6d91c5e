import { instanceNameOf } from '../../shared/model/k8s-object.js';
import type { ControlPlane } from '../../dev/harness/control-plane/index.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';
import { PROJECT, startRig, type SyncRig } from './support/sync-rig.js';

/**
 * A deployment scoped to a folder (MEMORYSTORE_SCOPE) on the real stack: Redis instances in three projects under the
 * folder and one outside it, on two VPC networks, and two clusters (two real control planes) whose pods each reach
 * one network. The folder's aggregated sink routes the entries of its projects only; a resync finds the instances
 * through the local Cloud Asset Inventory.
 */
const namespace = 'e2e-org-scope';
const FOLDER = 'folders/100';
const TEAM_A = 'team-a-project';
const TEAM_B = 'team-b-project';
const OUTSIDE = 'outside-project';
const net = (n: string) => `projects/host-project/global/networks/${n}`;
const UNDER_FOLDER = [PROJECT, TEAM_A, TEAM_B];

let second: ControlPlane;
let rig: SyncRig;
let firstView: ClusterView;
let secondView: ClusterView;

beforeAll(async () => {
  second = await startRigCluster({ users: [SYNC_USER] });
  await prepareNamespace(second.adminKubeconfigPath, { namespace, user: SYNC_USER, ownerId: 'e2e' });
  const clusters = [
    { name: 'east', kubeconfig: sharedStack().syncUserKubeconfig, networks: [net('mesh-a')] },
    { name: 'west', kubeconfig: second.kubeconfigFor(SYNC_USER), mode: 'direct', networks: [net('mesh-b')] },
  ];
  const place = (number: string, folder: string) => ({ number, folders: [folder], organization: 'organizations/1' });
  rig = await startRig({
    namespace,
    otherProjects: [TEAM_A, TEAM_B, OUTSIDE],
    routedProjects: UNDER_FOLDER,
    inventory: {
      hierarchy: {
        [PROJECT]: place('1000', FOLDER),
        [TEAM_A]: place('1001', FOLDER),
        [TEAM_B]: place('1002', FOLDER),
        [OUTSIDE]: place('1003', 'folders/200'),
      },
      grantedScopes: [FOLDER],
    },
    env: { MEMORYSTORE_SCOPE: FOLDER, SYNC_CLUSTERS: JSON.stringify(clusters) },
  });
  firstView = rig.cluster;
  secondView = new ClusterView(second.adminKubeconfigPath, namespace);
}, 180_000);

afterAll(async () => {
  await rig?.stop();
  await second?.stop();
});

const nameIn = (project: string, id: string) => `projects/${project}/locations/us-central1/instances/${id}`;

async function createIn(project: string, id: string, network: string): Promise<string> {
  const [operation] = await rig.redis.createInstance({
    parent: `projects/${project}/locations/us-central1`,
    instanceId: id,
    instance: { tier: 'BASIC', memorySizeGb: 1, authorizedNetwork: net(network) },
  });
  await operation.promise();
  await rig.memorystore.settled();
  await rig.idle();
  return nameIn(project, id);
}

async function instancesIn(view: ClusterView): Promise<Set<string | undefined>> {
  return new Set([...(await view.istioObjects()).values()].map(instanceNameOf));
}

/** The instances and where each must land: the cluster whose pods reach its network. */
const EAST = [nameIn(PROJECT, 'own-a'), nameIn(TEAM_A, 'orders-a')];
const WEST = [nameIn(TEAM_A, 'orders-b'), nameIn(TEAM_B, 'payments-b')];

test('events from every project under the folder reconcile, each instance only in the cluster on its network', async () => {
  await createIn(PROJECT, 'own-a', 'mesh-a');
  await createIn(TEAM_A, 'orders-a', 'mesh-a');
  await createIn(TEAM_A, 'orders-b', 'mesh-b');
  // An event of a project other than the deployment's, as the folder's aggregated sink routes it.
  await createIn(TEAM_B, 'payments-b', 'mesh-b');
  expect(await instancesIn(firstView)).toEqual(new Set(EAST));
  expect(await instancesIn(secondView)).toEqual(new Set(WEST));
  expect(rig.deliveries().every((d) => d.status < 300)).toBe(true);
});

test('a resync finds every instance under the folder through the inventory; one outside it is not synced', async () => {
  // Outside the folder: the folder's sink does not route its entries, and the inventory of the folder lacks it.
  await createIn(OUTSIDE, 'stray-a', 'mesh-a');
  expect(await instancesIn(firstView)).toEqual(new Set(EAST));
  // Objects lost in both clusters come back from a resync alone.
  for (const view of [firstView, secondView])
    for (const object of (await view.istioObjects()).values()) await view.api.delete(object);
  expect(await instancesIn(firstView)).toEqual(new Set());

  const searches = rig.memorystore.inventorySearches();
  const { status, body } = await rig.resync();
  expect(status).toBe(200);
  expect(body['errors']).toEqual([]);
  expect(rig.memorystore.inventorySearches()).toBeGreaterThan(searches);
  expect(await instancesIn(firstView)).toEqual(new Set(EAST));
  expect(await instancesIn(secondView)).toEqual(new Set(WEST));
  expect(rig.logs()).toContainEqual(
    expect.objectContaining({ message: 'instances found under the scope', scope: FOLDER, found: 4 }),
  );
});

test('an instance deleted under the folder is removed by the resync, the others stay', async () => {
  const [operation] = await rig.redis.deleteInstance({ name: nameIn(TEAM_B, 'payments-b') });
  await operation.promise();
  await rig.memorystore.settled();
  await rig.idle();
  // Whether or not its event got there first, the resync's listing of team-b (now empty in the inventory) agrees.
  const { body } = await rig.resync();
  expect(body['errors']).toEqual([]);
  expect(await instancesIn(secondView)).toEqual(new Set([nameIn(TEAM_A, 'orders-b')]));
  expect(await instancesIn(firstView)).toEqual(new Set(EAST));
});
