import { parseSettings } from '../../../shared/config/parse-config.js';
import { BASE_ENV, configProblems } from '../../../dev/fixtures/settings.js';

/** CLUSTER_NETWORKS and SYNC_CLUSTERS' `networks`: the VPC networks each cluster's pods reach. */
const net = (n: string) => `projects/net-host/global/networks/${n}`;

const problemsOf = (env: Record<string, string>): string[] => configProblems(env);

const kubeconfig = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  kubeconfig: `/k/${name}`,
  ...extra,
});

describe('the networks a cluster reaches', () => {
  test('unset: none, so no instance is checked', () => {
    expect(parseSettings(BASE_ENV).clusters[0].networks).toBeUndefined();
  });

  test('CLUSTER_NETWORKS: full names (self links read as full names), distinct, in their order', () => {
    const settings = parseSettings({
      ...BASE_ENV,
      CLUSTER_NETWORKS: `${net('b')}, https://www.googleapis.com/compute/v1/${net('a')},${net('b')}`,
    });
    expect(settings.clusters[0].networks).toEqual([net('b'), net('a')]);
  });

  test('a bare name or a subnetwork is refused, naming the variable', () => {
    for (const value of ['default', 'projects/p/regions/r/subnetworks/s'])
      expect(problemsOf({ CLUSTER_NETWORKS: value })).toEqual([
        expect.stringMatching(
          /^CLUSTER_NETWORKS: expected comma-separated VPC networks, each `projects\/P\/global\/networks\/N`/,
        ),
      ]);
  });

  test("SYNC_CLUSTERS: a cluster's own `networks`, else CLUSTER_NETWORKS", () => {
    const settings = parseSettings({
      ...BASE_ENV,
      CLUSTER_NETWORKS: net('shared'),
      SYNC_CLUSTERS: JSON.stringify([kubeconfig('a', { networks: [net('a')] }), kubeconfig('b')]),
    });
    expect(settings.clusters.map((c) => c.networks)).toEqual([[net('a')], [net('shared')]]);
  });

  test("SYNC_CLUSTERS: a `networks` that is not a list of full names is refused, with the cluster's place", () => {
    const problems = problemsOf({
      SYNC_CLUSTERS: JSON.stringify([kubeconfig('a', { networks: ['default'] }), kubeconfig('b', { networks: [] })]),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^SYNC_CLUSTERS: .*\[0\]\.networks\[0\]: "default" is not projects\/P\/global\/networks\/N/,
    );
    expect(problems[0]).toMatch(/\[1\]\.networks: /);
  });
});
