import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import { IncompleteListError } from '../../shared/errors.js';
import { LABEL_MANAGED_BY, LABEL_OWNER, APP_NAME, type KubeObject } from '../../shared/model/k8s-object.js';
import { startFaultProxy, type FaultProxy } from '../../dev/harness/kube-proxy/fault-proxy.js';
import { sharedStack } from './shared-stack.js';
import { sampleServiceEntry } from '../../dev/fixtures/service-entry.js';

/**
 * The Kubernetes adapter against the real kube-apiserver: lists are read to the last page through the apiserver's
 * own continue tokens, at a tiny page size and at the production one, and a list that cannot be finished fails.
 */
const stack = sharedStack();
const OWNER = 'paging';

const kubeConfigOf = (path: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
};

function serviceEntry(namespace: string, name: string, owned: boolean): KubeObject {
  const labels: Record<string, string> = owned
    ? { [LABEL_MANAGED_BY]: APP_NAME, [LABEL_OWNER]: OWNER }
    : { team: 'someone-else' };
  return sampleServiceEntry({ name, namespace, labels });
}

async function createNamespace(name: string): Promise<void> {
  await kubeConfigOf(stack.adminKubeconfig)
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name } } });
}

const ownedSelector = `${LABEL_MANAGED_BY}=${APP_NAME},${LABEL_OWNER}=${OWNER}`;
let dir: string;
let admin: KubeClusterStore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kube-store-'));
  admin = new KubeClusterStore(kubeConfigOf(stack.adminKubeconfig), OWNER);
});
afterAll(async () => {
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lists read to the end', () => {
  const namespace = 'paging-small';

  beforeAll(async () => {
    await createNamespace(namespace);
    for (let i = 0; i < 7; i++) await admin.create(serviceEntry(namespace, `owned-${i}`, true));
    for (let i = 0; i < 2; i++) await admin.create(serviceEntry(namespace, `foreign-${i}`, false));
  });

  test('a page size of 2 follows the continue token through every page', async () => {
    const small = new KubeClusterStore(kubeConfigOf(stack.adminKubeconfig), OWNER, { pageSize: 2 });
    try {
      expect(await small.listIstio(namespace)).toHaveLength(9);
      expect((await small.listIstio(namespace, ownedSelector)).map((o) => o.metadata.name).sort()).toEqual(
        [...Array(7).keys()].map((i) => `owned-${i}`),
      );
    } finally {
      await small.close();
    }
  });

  test('objects are read without managedFields or status', async () => {
    const [first] = await admin.listIstio(namespace, ownedSelector);
    expect(Object.keys(first!.metadata).sort()).toEqual(['labels', 'name', 'namespace', 'resourceVersion']);
  });

  describe('through a proxy that can fail requests', () => {
    let proxy: FaultProxy;
    let store: KubeClusterStore;
    beforeAll(async () => {
      proxy = await startFaultProxy(stack.adminKubeconfig, join(dir, 'proxy.kubeconfig'));
      store = new KubeClusterStore(kubeConfigOf(proxy.kubeconfig), OWNER, { pageSize: 2, attempts: 3 });
    });
    afterAll(async () => {
      await store.close();
      await proxy.stop();
    });
    afterEach(() => proxy.setRule(undefined));

    test('an expired continue token (410 Gone) fails the whole list instead of answering with part of it', async () => {
      proxy.setRule(({ url }) =>
        url.includes('continue=')
          ? { status: 410, body: { kind: 'Status', code: 410, reason: 'Expired', message: 'continue token expired' } }
          : undefined,
      );
      await expect(store.listIstio(namespace)).rejects.toThrow(IncompleteListError);
    });

    test('a 429 with Retry-After is waited out and retried', async () => {
      let throttled = 0;
      proxy.setRule(({ url }) =>
        url.includes('serviceentries') && throttled++ === 0
          ? { status: 429, headers: { 'retry-after': '1' } }
          : undefined,
      );
      const started = Date.now();
      expect(await store.listIstio(namespace, ownedSelector)).toHaveLength(7);
      expect(throttled).toBeGreaterThan(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    });

    test('a 503 that does not clear within the tries is a transient error, not an empty list', async () => {
      proxy.setRule(() => ({ status: 503 }));
      await expect(store.listIstio(namespace)).rejects.toThrow(/HTTP 503 after 3 tries/);
    });

    test('requests reuse kept-alive connections instead of opening one each', async () => {
      // A list reads the four kinds at once: nine ServiceEntries take five pages at this page size, the other kinds
      // one each. A client without a pool opens a connection per request; the pool at most one per request in flight.
      const connections = proxy.connections();
      const requests = proxy.requests.length;
      for (let i = 0; i < 5; i++) await store.listIstio(namespace);
      expect(proxy.requests.length - requests).toBeGreaterThanOrEqual(5 * (5 + 3));
      expect(proxy.connections() - connections).toBeLessThanOrEqual(4);
    });
  });
});

describe('the production page size', () => {
  const namespace = 'paging-production';
  const count = 501; // one more than the page size of 500: a second page must be read

  beforeAll(async () => {
    await createNamespace(namespace);
    const objects = [...Array(count).keys()].map((i) => serviceEntry(namespace, `se-${i}`, true));
    for (let i = 0; i < objects.length; i += 25)
      await Promise.all(objects.slice(i, i + 25).map((o) => admin.create(o)));
  }, 120_000);

  test('501 objects are all read', async () => {
    expect(await admin.listIstio(namespace, ownedSelector)).toHaveLength(count);
  });
});
