import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import { gatewayServicePort, serviceApplyBody } from '../../shared/plan/service-ports.js';
import { nameOf } from '../fixtures/instances.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { startFaultProxy, type FaultProxy } from '../../dev/harness/kube-proxy/fault-proxy.js';
import { ownerLabels, serviceEntry } from './support/dry-run-requests.js';
import { sharedStack, SYNC_USER } from './shared-stack.js';

/**
 * The Connect gateway serves a cluster's API under a path of its own
 * (https://connectgateway.googleapis.com/v1/projects/NUMBER/locations/LOCATION/gkeMemberships/MEMBERSHIP), so every
 * request the functions make must keep that path in front of the API path. A loopback proxy serves the real
 * apiserver under such a path and refuses anything outside it; the functions' own Kubernetes adapter works through it
 * as the functions' user, under their RBAC and admission policy.
 */
const stack = sharedStack();
const namespace = 'e2e-server-path';
const OWNER = 'e2e';
const PREFIX = '/v1/projects/123456789012/locations/global/gkeMemberships/mesh';

const kubeConfigOf = (path: string): KubeConfig => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
};

let dir: string;
let proxy: FaultProxy;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'server-path-'));
  await prepareNamespace(stack.adminKubeconfig, { namespace, user: SYNC_USER, ownerId: OWNER });
  proxy = await startFaultProxy(stack.syncUserKubeconfig, join(dir, 'gateway.kubeconfig'), { pathPrefix: PREFIX });
});
afterAll(async () => {
  await proxy?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("every read and write of the adapter goes to the API under the server URL's path", async () => {
  // The proxy records every request of the file: only this test's count here.
  const before = proxy.requests.length;
  const store = new KubeClusterStore(kubeConfigOf(proxy.kubeconfig), OWNER);
  try {
    const created = await store.create(
      serviceEntry(namespace, 'through-the-gateway', ownerLabels(OWNER)) as KubeObject,
    );
    expect((await store.listIstio(namespace)).map((o) => o.metadata.name)).toEqual(['through-the-gateway']);
    const port = gatewayServicePort(nameOf('cache-a'), 'primary', 16379);
    await store.applyServicePorts(serviceApplyBody({ namespace, name: 'istio-egressgateway' }, [port]));
    expect((await store.readGatewayService(namespace, 'istio-egressgateway')).ownedPorts).toEqual([port]);
    await store.applyServicePorts(serviceApplyBody({ namespace, name: 'istio-egressgateway' }, []));
    await store.delete(created);
  } finally {
    await store.close();
  }
  const requests = proxy.requests.slice(before);
  expect(requests.length).toBeGreaterThan(5);
  expect(requests.filter((r) => !r.split(' ')[1]!.startsWith(`${PREFIX}/`))).toEqual([]);
});

test('a server URL without the path reaches nothing: the path is what routes', async () => {
  const config = parse(readFileSync(proxy.kubeconfig, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
  config.clusters[0]!.cluster.server = config.clusters[0]!.cluster.server.replace(PREFIX, '');
  writeFileSync(join(dir, 'no-path.kubeconfig'), stringify(config));
  const store = new KubeClusterStore(kubeConfigOf(join(dir, 'no-path.kubeconfig')), OWNER);
  try {
    await expect(store.listIstio(namespace)).rejects.toThrow(/HTTP 404/);
  } finally {
    await store.close();
  }
});
