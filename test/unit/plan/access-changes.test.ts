import { ANNOTATION_ACCESS, encodeAccess } from '../../../shared/model/access.js';
import { ANNOTATION_INSTANCE_NAME, type KubeObject } from '../../../shared/model/k8s-object.js';
import { accessChanges, instancesConcerning, revokeGuard } from '../../../shared/plan/access-changes.js';

const instance = 'projects/p/locations/r/instances/cache';
const serviceEntry = (annotations: Record<string, string>, exportTo?: string[]): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: {
    name: 'redis-cache',
    namespace: 'istio-system',
    annotations: { [ANNOTATION_INSTANCE_NAME]: instance, ...annotations },
  },
  spec: exportTo ? { exportTo } : {},
});
const declared = (namespaces: string[], principals: string[], declaredBy: string[]) =>
  serviceEntry({ [ANNOTATION_ACCESS]: encodeAccess({ namespaces, principals, declaredBy }) });

test('a service account no longer named alone loses nothing while its whole namespace is granted', () => {
  const live = declared([], ['cluster.local/ns/shop/sa/api'], ['shop/api']);
  const access = new Map([[instance, { namespaces: ['shop'], principals: [], declaredBy: ['shop/all'] }]]);
  expect(accessChanges([instance], [live], access)).toEqual([
    expect.objectContaining({
      added: { namespaces: ['shop'], principals: [] },
      removed: { namespaces: [], principals: [] },
    }),
  ]);
});

test('open mode before: the live exportTo is what may be lost; unchanged access is no change', () => {
  const open = serviceEntry({}, ['shop', 'billing']);
  expect(accessChanges([instance], [open], new Map())[0]!.removed).toEqual({
    namespaces: ['billing', 'shop'],
    principals: [],
  });
  const same = declared(['shop'], [], ['shop/all']);
  const access = new Map([[instance, { namespaces: ['shop'], principals: [], declaredBy: ['shop/all'] }]]);
  expect(accessChanges([instance], [same], access)).toEqual([]);
});

test('a namespace concerns the instances its live access names, so a deleted declaration revokes', () => {
  expect(instancesConcerning('shop', new Map(), [declared(['shop'], [], ['shop/all'])])).toEqual(new Set([instance]));
  expect(instancesConcerning('billing', new Map(), [declared(['shop'], [], ['shop/all'])])).toEqual(new Set());
});

test('the revoke guard refuses past the fraction, and only past it', () => {
  const guard = revokeGuard(0.5);
  const revoking = accessChanges([instance], [serviceEntry({}, ['*'])], new Map());
  expect(guard(revoking, 2)).toBeUndefined();
  expect(guard(revoking, 1)).toMatch(/revokes access to 1 of 1 managed instances/);
});
