import { parseInstanceName } from '../../shared/products/instance-name.js';
import { objectName } from '../../shared/render/names.js';
import { nameOf } from '../fixtures/instances.js';
import { startRig, type SyncRig } from './support/sync-rig.js';

/**
 * The apiserver refuses one object for good (here a ValidatingAdmissionPolicy denies one instance's Gateway, as a CRD
 * schema or any admission rule would): that instance is reported failed and left as far as it got, and every other
 * instance of the same resync is fully configured. All as the functions' own user under the project's RBAC.
 */
const NAMESPACE = 'e2e-refused-object';
const POLICY = 'e2e-refuse-one-gateway';
let rig: SyncRig;
let refusedName: string;

beforeAll(async () => {
  rig = await startRig({ namespace: NAMESPACE });
  refusedName = objectName(nameOf('refused-b'));
  const api = rig.cluster.api;
  await api.create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: POLICY },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ['networking.istio.io'],
            apiVersions: ['*'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['gateways'],
          },
        ],
      },
      validations: [{ expression: `object.metadata.name != '${refusedName}'`, message: 'this Gateway is refused' }],
    },
  } as never);
  await api.create({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: POLICY },
    spec: {
      policyName: POLICY,
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACE } } },
    },
  } as never);
  // The apiserver loads a new policy within a second or so.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
}, 120_000);

afterAll(async () => {
  for (const kind of ['ValidatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicy'])
    await rig?.cluster.api
      .delete({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name: POLICY } })
      .catch(() => undefined);
  await rig?.stop();
});

const KINDS = ['ServiceEntry', 'Gateway', 'DestinationRule', 'VirtualService'];

test('a resync in which one object is refused configures the other instances fully and names the failed one', async () => {
  const ids = ['refused-a', 'refused-b', 'refused-c'];
  for (const id of ids) await rig.createInstance(id);
  // The events configured a and c; b stopped at its Gateway. Take a's and c's routing away, so the resync writes
  // the same steps for all three at once.
  const objects = await rig.cluster.istioObjects();
  for (const id of ['refused-a', 'refused-c'])
    for (const kind of ['VirtualService', 'DestinationRule', 'Gateway']) {
      const object = objects.get(`${kind}/${objectName(nameOf(id))}`);
      if (object) await rig.cluster.api.delete(object);
    }

  const { status, body } = await rig.resync('?force=true');
  expect(status).toBe(200);
  const errors = body['errors'] as Array<{ instance: string; message: string; refusedWrite?: boolean }>;
  expect(errors).toEqual([
    expect.objectContaining({ instance: nameOf('refused-b').full, refusedWrite: true, cluster: 'default' }),
  ]);
  expect(errors[0]!.message).toContain('this Gateway is refused');

  const live = await rig.cluster.istioObjects();
  for (const id of ['refused-a', 'refused-c'])
    for (const kind of KINDS) expect(live.has(`${kind}/${objectName(parseInstanceName(nameOf(id).full)!)}`)).toBe(true);
  // Nothing points at the Gateway that was refused.
  expect(live.has(`Gateway/${refusedName}`)).toBe(false);
  expect(live.has(`VirtualService/${refusedName}`)).toBe(false);
}, 120_000);
