import { functionEnv, type SizeStack } from '../../../scripts/bench/bench-stack.js';
import { PRODUCTS } from '../../../shared/products/registry.js';

// What functionEnv reads of a size's stack; the rest of it (processes, clients) plays no part in the environment.
const stack = {
  memorystore: { endpoint: '127.0.0.1:7001' },
  syncKubeconfig: '/tmp/sync.proxy.kubeconfig',
  gke: { server: 'https://127.0.0.1:7002', caCertBase64: 'Q0E=', metadataHost: '127.0.0.1:7003' },
  auditTopic: 'projects/bench-project/topics/sync-audit-records',
  pubsubHost: '127.0.0.1:7004',
} as unknown as SizeStack;

describe("the bench's functions run as deployed", () => {
  const env = functionEnv(stack, { audience: 'https://bench.local/resync', caller: 'op@example.com', certsUrl: 'x' });

  it('publish their audit records to AUDIT_TOPIC on the local Pub/Sub server', () => {
    expect(env['AUDIT_TOPIC']).toBe('projects/bench-project/topics/sync-audit-records');
    expect(env['PUBSUB_EMULATOR_HOST']).toBe('127.0.0.1:7004');
  });

  it('sync all four products', () => {
    expect(env['MEMORYSTORE_PRODUCTS']?.split(',').sort()).toEqual([...PRODUCTS].sort());
  });

  it('reach the cluster as GKE, through the counting proxy, with no kubeconfig', () => {
    expect(env['GKE_CLUSTER_ENDPOINT']).toBe('https://127.0.0.1:7002');
    expect(env['KUBECONFIG']).toBeUndefined();
  });
});
