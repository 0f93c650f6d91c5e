import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings } from '../../../shared/config/parse-config.js';
import { ConfigError } from '../../../shared/errors.js';
import { BASE_ENV } from '../../../dev/fixtures/settings.js';

/**
 * One cluster under two names in SYNC_CLUSTERS: each name would apply its own mode there and every event would flip
 * the other's objects. Refused at configuration time, naming the variable and both names.
 */
function problemsOf(clusters: unknown): string[] {
  try {
    parseSettings({ ...BASE_ENV, SYNC_CLUSTERS: JSON.stringify(clusters) });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.message);
    throw error;
  }
  return [];
}

const dir = mkdtempSync(join(tmpdir(), 'same-cluster-'));
/** A kubeconfig with two contexts on one server and a third on another. */
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(
  kubeconfig,
  [
    'apiVersion: v1',
    'kind: Config',
    'current-context: admin',
    'clusters:',
    '- {name: prod, cluster: {server: "https://10.0.0.7"}}',
    '- {name: other, cluster: {server: "https://10.0.0.8:6443"}}',
    'users: [{name: u, user: {token: t}}]',
    'contexts:',
    '- {name: admin, context: {cluster: prod, user: u}}',
    '- {name: sync, context: {cluster: prod, user: u}}',
    '- {name: elsewhere, context: {cluster: other, user: u}}',
  ].join('\n'),
);
const copy = join(dir, 'copy');
writeFileSync(copy, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n');

describe('SYNC_CLUSTERS naming one cluster twice', () => {
  test.each([
    [
      'the same endpoint, spelled two ways',
      [
        { name: 'eu', endpoint: 'gke-abc.europe-west1.gke.goog' },
        { name: 'eu-direct', endpoint: 'https://GKE-abc.europe-west1.gke.goog:443/', mode: 'direct' },
      ],
      /^SYNC_CLUSTERS: eu and eu-direct are the same cluster \(server https:\/\/gke-abc\.europe-west1\.gke\.goog\)/,
    ],
    [
      'the same Connect gateway membership',
      [
        {
          name: 'a',
          endpoint: 'https://connectgateway.googleapis.com/v1/projects/1/locations/global/gkeMemberships/m',
        },
        {
          name: 'b',
          endpoint: 'https://connectgateway.googleapis.com/v1/projects/1/locations/global/gkeMemberships/m/',
        },
      ],
      /^SYNC_CLUSTERS: a and b are the same cluster \(server https:\/\/connectgateway.*gkeMemberships\/m\)/,
    ],
    [
      'two contexts of a kubeconfig that resolve to one server',
      [
        { name: 'one', kubeconfig, context: 'admin' },
        { name: 'two', kubeconfig, context: 'sync', mode: 'direct' },
      ],
      /^SYNC_CLUSTERS: one and two are the same cluster \(server https:\/\/10\.0\.0\.7\)/,
    ],
    [
      'a kubeconfig context and an endpoint on the same server',
      [
        { name: 'local', kubeconfig },
        { name: 'gke', endpoint: '10.0.0.7' },
      ],
      /^SYNC_CLUSTERS: local and gke are the same cluster \(server https:\/\/10\.0\.0\.7\)/,
    ],
    [
      'the same file and context, unreadable or not',
      [
        { name: 'x', kubeconfig: copy, context: 'c' },
        { name: 'y', kubeconfig: `${dir}/./copy`, context: 'c' },
      ],
      /^SYNC_CLUSTERS: x and y are the same cluster \(kubeconfig .*\/copy context c\)/,
    ],
  ])('%s is refused, naming the variable and both names', (_case, clusters, expected) => {
    expect(problemsOf(clusters)).toEqual([expect.stringMatching(expected)]);
  });

  test('distinct servers, and two contexts of one file on two servers, are accepted', () => {
    expect(
      problemsOf([
        { name: 'eu', endpoint: 'gke-abc.europe-west1.gke.goog' },
        { name: 'us', endpoint: 'gke-def.us-central1.gke.goog' },
        { name: 'one', kubeconfig, context: 'sync' },
        { name: 'two', kubeconfig, context: 'elsewhere' },
      ]),
    ).toEqual([]);
  });

  test('three names for one cluster: each later name is refused beside the first', () => {
    expect(
      problemsOf([
        { name: 'a', endpoint: '10.0.0.9' },
        { name: 'b', endpoint: 'https://10.0.0.9' },
        { name: 'c', endpoint: '10.0.0.9:443' },
      ]),
    ).toEqual([
      expect.stringMatching(/^SYNC_CLUSTERS: a and b are the same cluster/),
      expect.stringMatching(/^SYNC_CLUSTERS: a and c are the same cluster/),
    ]);
  });
});
