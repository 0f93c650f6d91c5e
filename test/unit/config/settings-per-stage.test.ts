import { parseRenderSettings, parseSettings } from '../../../shared/config/parse-config.js';
import { createRuntime } from '../../../shared/runtime/runtime.js';
import { Logger } from '../../../shared/log.js';
import type { ClusterStore } from '../../../shared/adapters/cluster-store.js';
import type { InstanceSource } from '../../../shared/products/instance-source.js';
import { BASE_ENV } from '../../../dev/fixtures/settings.js';

const twoClusters = {
  ...BASE_ENV,
  SYNC_CLUSTERS: JSON.stringify([
    { name: 'a', kubeconfig: '/k/a' },
    { name: 'b', kubeconfig: '/k/b', mode: 'direct', istioNamespace: 'mesh' },
  ]),
};

describe('settings per stage', () => {
  test('the process settings hold no cluster: each cluster holds its own access and mesh layout', () => {
    const settings = parseSettings(twoClusters);
    expect(Object.keys(settings).sort()).toEqual(['clusters', 'process']);
    for (const clusterField of ['kube', 'mode', 'istioNamespace', 'clusters', 'egressGateway', 'hostSuffix'])
      expect(settings.process).not.toHaveProperty(clusterField);
    expect(settings.clusters.map((c) => [c.name, c.mode, c.istioNamespace, c.egressGateway.service])).toEqual([
      ['a', 'egress-gateway', 'istio-system', 'istio-egressgateway'],
      ['b', 'direct', 'mesh', 'istio-egressgateway'],
    ]);
  });

  test("a sync of one cluster gets the process settings and that cluster's, as parsed (nothing reshaped)", async () => {
    const settings = parseSettings(twoClusters);
    const cluster = async (): Promise<ClusterStore> => ({}) as ClusterStore;
    const runtime = createRuntime(settings, { cluster, instances: {} as InstanceSource, log: new Logger() });
    const deps = await runtime.deps(new Logger(), settings.clusters[1]);
    expect(deps.settings.process).toBe(settings.process);
    expect(deps.settings.cluster).toBe(settings.clusters[1]);
    expect((await runtime.deps(new Logger())).settings.cluster).toBe(settings.clusters[0]);
  });

  test('render reads no cluster access: no KUBECONFIG or GKE_CLUSTER_ENDPOINT needed', () => {
    const env: Record<string, string> = { ...BASE_ENV, SYNC_MODE: 'direct' };
    delete env['KUBECONFIG'];
    const settings = parseRenderSettings(env);
    expect(settings.process.project).toBe('test-project');
    expect(settings.cluster).toMatchObject({ mode: 'direct', istioNamespace: 'istio-system' });
    expect(settings.cluster).not.toHaveProperty('kube');
  });

  test("render with SYNC_CLUSTERS lays objects out as the first cluster's mesh, as a sync of it would", () => {
    expect(parseRenderSettings(twoClusters).cluster).toMatchObject({ mode: 'egress-gateway' });
    const [a, b] = JSON.parse(twoClusters.SYNC_CLUSTERS) as unknown[];
    const reversed = { ...twoClusters, SYNC_CLUSTERS: JSON.stringify([b, a]) };
    expect(parseRenderSettings(reversed).cluster).toMatchObject({ mode: 'direct', istioNamespace: 'mesh' });
  });

  test('render still names a bad variable, and a bad cluster access that is given', () => {
    expect(() => parseRenderSettings({ ...BASE_ENV, SYNC_MODE: 'sideways' })).toThrow(/^SYNC_MODE: expected/);
    expect(() => parseRenderSettings({ ...BASE_ENV, KUBECONFIG: '', GKE_CLUSTER_ENDPOINT: 'http://x' })).toThrow(
      /^GKE_CLUSTER_ENDPOINT: expected/,
    );
  });
});
