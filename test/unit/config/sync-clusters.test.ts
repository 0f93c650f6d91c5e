import { parseSettings } from '../../../shared/config/parse-config.js';
import { BASE_ENV, configProblems } from '../../../dev/fixtures/settings.js';

/** SYNC_CLUSTERS: several clusters in one deployment, each with its own access and, optionally, mode and namespace. */
const withClusters = (clusters: unknown, extra: Record<string, string> = {}): Record<string, string> => ({
  ...BASE_ENV,
  SYNC_CLUSTERS: JSON.stringify(clusters),
  ...extra,
});

const problemsOf = (env: Record<string, string | undefined>): string[] => configProblems(env, {});

/** The rest of a cluster's mesh layout, the deployment's own (the variables' defaults here). */
const LAYOUT = {
  shardedNodePorts: false,
  ambientWaypoint: 'waypoint',
  hostSuffix: 'memorystore.internal',
  exportTo: ['*'],
  egressGateway: {
    namespace: 'istio-system',
    service: 'istio-egressgateway',
    selector: { istio: 'egressgateway' },
    portsPerService: 100,
  },
  gatewayPortRange: { from: 16000, to: 16999 },
};

describe('SYNC_CLUSTERS', () => {
  test('without it, the one cluster of KUBECONFIG is named CLUSTER_NAME (default `default`)', () => {
    expect(parseSettings(BASE_ENV).clusters).toEqual([
      {
        ...LAYOUT,
        name: 'default',
        kube: { kind: 'kubeconfig', path: '/nonexistent/kubeconfig' },
        mode: 'egress-gateway',
        istioNamespace: 'istio-system',
      },
    ]);
    expect(parseSettings({ ...BASE_ENV, CLUSTER_NAME: 'prod-eu' }).clusters.map((c) => c.name)).toEqual(['prod-eu']);
  });

  test('each cluster gets its access, and SYNC_MODE / ISTIO_NAMESPACE where it names none', () => {
    const config = parseSettings(
      withClusters(
        [
          { name: 'prod-eu', endpoint: 'gke-abc.europe-west1.gke.goog' },
          { name: 'prod-us', endpoint: '10.0.0.2', caCert: 'Y2E=', mode: 'direct', istioNamespace: 'mesh' },
          { name: 'dev', kubeconfig: '/k/dev', context: 'kind-dev' },
        ],
        { SYNC_MODE: 'egress-gateway', ISTIO_NAMESPACE: 'istio-egress' },
      ),
    );
    expect(config.clusters).toEqual([
      {
        ...LAYOUT,
        name: 'prod-eu',
        kube: { kind: 'gke', server: 'https://gke-abc.europe-west1.gke.goog' },
        mode: 'egress-gateway',
        istioNamespace: 'istio-egress',
      },
      {
        ...LAYOUT,
        name: 'prod-us',
        kube: { kind: 'gke', server: 'https://10.0.0.2', caCertBase64: 'Y2E=' },
        mode: 'direct',
        istioNamespace: 'mesh',
      },
      {
        ...LAYOUT,
        name: 'dev',
        kube: { kind: 'kubeconfig', path: '/k/dev', context: 'kind-dev', setting: 'SYNC_CLUSTERS[2]' },
        mode: 'egress-gateway',
        istioNamespace: 'istio-egress',
      },
    ]);
  });

  test("each cluster's settings hold its access, mode and namespace (what a sync of it reads)", () => {
    const config = parseSettings(
      withClusters([
        { name: 'a', kubeconfig: '/k/a' },
        { name: 'b', kubeconfig: '/k/b', mode: 'direct', istioNamespace: 'mesh' },
      ]),
    );
    expect(config.clusters[1]).toMatchObject({
      kube: { kind: 'kubeconfig', path: '/k/b' },
      mode: 'direct',
      istioNamespace: 'mesh',
      name: 'b',
    });
    expect(config.clusters[0]).toMatchObject({
      kube: { path: '/k/a' },
      mode: 'egress-gateway',
      istioNamespace: 'istio-system',
    });
  });

  test('clusters may mix the three modes; declared access in ambient mode needs no egress gateway namespace', () => {
    const config = parseSettings(
      withClusters(
        [
          { name: 'a', kubeconfig: '/k/a' },
          { name: 'b', kubeconfig: '/k/b', mode: 'ambient', istioNamespace: 'istio-egress' },
          { name: 'c', kubeconfig: '/k/c', mode: 'direct' },
        ],
        { ACCESS_MODE: 'declared', AMBIENT_WAYPOINT: 'egress-waypoint' },
      ),
    );
    expect(config.clusters.map((c) => [c.name, c.mode, c.istioNamespace, c.ambientWaypoint])).toEqual([
      ['a', 'egress-gateway', 'istio-system', 'egress-waypoint'],
      ['b', 'ambient', 'istio-egress', 'egress-waypoint'],
      ['c', 'direct', 'istio-system', 'egress-waypoint'],
    ]);
    expect(problemsOf(withClusters([{ name: 'a', kubeconfig: '/k/a', mode: 'waypoint' }])).join()).toContain(
      'SYNC_CLUSTERS',
    );
    expect(problemsOf({ ...BASE_ENV, SYNC_MODE: 'ambient', AMBIENT_WAYPOINT: 'Not A Name' }).join()).toContain(
      'AMBIENT_WAYPOINT',
    );
  });

  test('KUBECONFIG beside it is ignored (operators often have one set for other tools)', () => {
    const config = parseSettings(
      withClusters([{ name: 'a', endpoint: 'gke-a.gke.goog' }], { KUBECONFIG: '/home/me/.kube/config' }),
    );
    expect(config.clusters.map((c) => c.kube)).toEqual([{ kind: 'gke', server: 'https://gke-a.gke.goog' }]);
  });

  test.each([
    ['not JSON', '[{name: a}]', /SYNC_CLUSTERS: .*it is not JSON/],
    ['an empty list', '[]', /SYNC_CLUSTERS: .*the list: /],
    ['a name that is no DNS label', JSON.stringify([{ name: 'Prod_EU', kubeconfig: '/k' }]), /\[0\]\.name/],
    [
      'a name used twice',
      JSON.stringify([
        { name: 'a', kubeconfig: '/k' },
        { name: 'a', kubeconfig: '/l' },
      ]),
      /\[1\]\.name: the name a is used twice/,
    ],
    [
      'both an endpoint and a kubeconfig',
      JSON.stringify([{ name: 'a', endpoint: 'h', kubeconfig: '/k' }]),
      /exactly one of `endpoint` and `kubeconfig`/,
    ],
    ['neither', JSON.stringify([{ name: 'a' }]), /exactly one of `endpoint` and `kubeconfig`/],
    [
      'a key it does not know (a typo must not pass silently)',
      JSON.stringify([{ name: 'a', kubeconfig: '/k', namespace: 'x' }]),
      /\[0\]: .*namespace/,
    ],
    ['an unknown mode', JSON.stringify([{ name: 'a', kubeconfig: '/k', mode: 'sidecar' }]), /\[0\]\.mode/],
    [
      'an endpoint with a query',
      JSON.stringify([{ name: 'a', endpoint: 'https://h/x?y=1' }]),
      /\[0\]\.endpoint: expected a GKE endpoint/,
    ],
  ])('%s is refused, naming the variable and the place in the list', (_case, value, expected) => {
    const problems = problemsOf({ ...BASE_ENV, SYNC_CLUSTERS: value });
    expect(problems).toEqual([expect.stringMatching(expected)]);
    expect(problems[0]).toMatch(/^SYNC_CLUSTERS: /);
  });

  test('GKE_CLUSTER_ENDPOINT beside it is refused (which cluster is meant?), with every other problem at once', () => {
    const problems = problemsOf(
      withClusters([{ name: 'a', kubeconfig: '/k' }, { name: 'B' }], {
        GKE_CLUSTER_ENDPOINT: '10.0.0.1',
        SYNC_MODE: 'mesh',
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^GKE_CLUSTER_ENDPOINT: expected nothing when SYNC_CLUSTERS is set/),
      expect.stringMatching(/^SYNC_CLUSTERS: .*\[1\]\.name/),
      expect.stringMatching(/^SYNC_MODE: /),
    ]);
  });

  test('a CLUSTER_NAME that is no DNS label is refused', () => {
    expect(problemsOf({ ...BASE_ENV, CLUSTER_NAME: 'Prod EU' })).toEqual([
      expect.stringMatching(/^CLUSTER_NAME: expected a DNS label/),
    ]);
  });
});
