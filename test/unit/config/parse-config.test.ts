import { CONFIG_VARIABLES } from '../../../shared/config/config-variables.js';
import { parseResyncAuth, parseSettings } from '../../../shared/config/parse-config.js';
import { ConfigError } from '../../../shared/errors.js';
import { BASE_ENV } from '../../../dev/fixtures/settings.js';

describe('parseSettings', () => {
  test('defaults', () => {
    const settings = parseSettings(BASE_ENV);
    expect(settings.process).toMatchObject({
      project: 'test-project',
      locations: ['-'],
      ownerId: 'default',
      maxPruneFraction: 0.5,
      eventMaxAgeSeconds: 3600,
      audit: { required: false },
    });
    expect(settings.clusters[0]).toMatchObject({
      kube: { kind: 'kubeconfig', path: '/nonexistent/kubeconfig' },
      mode: 'egress-gateway',
      shardedNodePorts: false,
      istioNamespace: 'istio-system',
      hostSuffix: 'memorystore.internal',
      exportTo: ['*'],
      egressGateway: {
        namespace: 'istio-system',
        service: 'istio-egressgateway',
        selector: { istio: 'egressgateway' },
      },
      gatewayPortRange: { from: 16000, to: 16999 },
    });
    expect(settings.process.memorystoreEndpoint).toBeUndefined();
  });

  test('resync callers', () => {
    expect(parseResyncAuth(BASE_ENV)).toEqual({
      mode: 'verify',
      audience: 'https://resync-unittest-uc.a.run.app',
      allowedPrincipals: ['operator@example.com', 'scheduler@test-project.iam.gserviceaccount.com'],
      schedulerPrincipal: 'scheduler@test-project.iam.gserviceaccount.com',
    });
  });

  test('resync behind Cloud Run', () => {
    expect(parseResyncAuth({ ...BASE_ENV, RESYNC_AUTH: 'cloud-run' })).toMatchObject({ mode: 'cloud-run' });
  });

  test('every value set', () => {
    const settings = parseSettings({
      ...BASE_ENV,
      KUBECONFIG: '',
      GKE_CLUSTER_ENDPOINT: '34.1.2.3',
      GKE_CLUSTER_CA_CERT: 'LS0tLS1CRUdJTg==',
      MEMORYSTORE_LOCATIONS: 'us-central1, europe-west1',
      MEMORYSTORE_PRODUCTS: 'valkey, memcached,valkey',
      MEMORYSTORE_API_ENDPOINT: '127.0.0.1:50051',
      MEMORYSTORE_API_PLAINTEXT: 'true',
      SYNC_MODE: 'direct',
      SHARDED_NODE_PORTS: 'true',
      EGRESS_GATEWAY_SELECTOR: 'app=egress,istio=egressgateway',
      GATEWAY_PORT_RANGE: '20000-20009',
      AUDIT_TOPIC: 'projects/p/topics/audit',
      AUDIT_REQUIRED: 'true',
      SERVICE_ENTRY_EXPORT_TO: '.,istio-system',
    });
    expect(settings.process).toMatchObject({
      locations: ['us-central1', 'europe-west1'],
      products: ['valkey', 'memcached'],
      memorystoreEndpoint: { host: '127.0.0.1', port: 50051, plaintext: true },
      audit: { topic: 'projects/p/topics/audit', required: true },
    });
    expect(settings.clusters[0]).toMatchObject({
      kube: { kind: 'gke', server: 'https://34.1.2.3', caCertBase64: 'LS0tLS1CRUdJTg==' },
      mode: 'direct',
      shardedNodePorts: true,
      egressGateway: { selector: { app: 'egress', istio: 'egressgateway' } },
      gatewayPortRange: { from: 20000, to: 20009 },
      exportTo: ['.', 'istio-system'],
    });
  });

  const CONNECT_GATEWAY =
    'https://connectgateway.googleapis.com/v1/projects/123456789012/locations/global/gkeMemberships/mesh';
  test.each([
    ['an IP address', '34.1.2.3', 'https://34.1.2.3'],
    ['a DNS endpoint', 'gke-abc.us-central1.gke.goog', 'https://gke-abc.us-central1.gke.goog'],
    ['a host and port', '10.0.0.2:443', 'https://10.0.0.2:443'],
    ['the Connect gateway URL of a global membership', CONNECT_GATEWAY, CONNECT_GATEWAY],
    [
      'the Connect gateway URL of a regional membership',
      'https://us-central1-connectgateway.googleapis.com/v1/projects/1/locations/us-central1/gkeMemberships/mesh',
      'https://us-central1-connectgateway.googleapis.com/v1/projects/1/locations/us-central1/gkeMemberships/mesh',
    ],
    ['a URL with a trailing slash (API paths are appended to it)', `${CONNECT_GATEWAY}/`, CONNECT_GATEWAY],
  ])('GKE_CLUSTER_ENDPOINT: %s', (_what, value, server) => {
    expect(parseSettings({ ...BASE_ENV, KUBECONFIG: '', GKE_CLUSTER_ENDPOINT: value }).clusters[0].kube).toEqual({
      kind: 'gke',
      server,
    });
  });

  test.each([
    ['plain http', 'http://connectgateway.googleapis.com/v1/projects/1/locations/global/gkeMemberships/mesh'],
    ['credentials in the URL', 'https://user:secret@connectgateway.googleapis.com/v1/projects/1'],
    ['a query', `${CONNECT_GATEWAY}?timeout=1s`],
    ['a fragment', `${CONNECT_GATEWAY}#x`],
    ['a path without a scheme', 'connectgateway.googleapis.com/v1/projects/1'],
    ['spaces', 'https://connectgateway.googleapis.com/v1/projects/1 x'],
  ])('GKE_CLUSTER_ENDPOINT refuses %s', (_what, value) => {
    expect(() => parseSettings({ ...BASE_ENV, KUBECONFIG: '', GKE_CLUSTER_ENDPOINT: value })).toThrow(
      /^GKE_CLUSTER_ENDPOINT: expected a GKE endpoint host/,
    );
  });

  const bad: Array<[string, Record<string, string | undefined>]> = [
    ['MEMORYSTORE_PROJECT', { MEMORYSTORE_PROJECT: undefined }],
    ['MEMORYSTORE_PROJECT', { MEMORYSTORE_PROJECT: 'Bad_Project' }],
    ['MEMORYSTORE_LOCATIONS', { MEMORYSTORE_LOCATIONS: 'us central1' }],
    ['MEMORYSTORE_PRODUCTS', { MEMORYSTORE_PRODUCTS: 'redis,rediscluster' }],
    ['MEMORYSTORE_PRODUCTS', { MEMORYSTORE_PRODUCTS: ',' }],
    ['MEMORYSTORE_API_ENDPOINT', { MEMORYSTORE_API_ENDPOINT: 'localhost' }],
    ['MEMORYSTORE_API_PLAINTEXT', { MEMORYSTORE_API_PLAINTEXT: 'yes' }],
    ['GKE_CLUSTER_ENDPOINT', { KUBECONFIG: undefined }],
    ['SYNC_MODE', { SYNC_MODE: 'sidecar' }],
    ['SHARDED_NODE_PORTS', { SHARDED_NODE_PORTS: 'yes' }],
    ['SHARDED_NODE_PORTS', { SHARDED_NODE_PORTS: '11000-13047' }],
    ['ISTIO_NAMESPACE', { ISTIO_NAMESPACE: 'Istio_System' }],
    ['EGRESS_GATEWAY_SELECTOR', { EGRESS_GATEWAY_SELECTOR: 'istio' }],
    ['GATEWAY_PORT_RANGE', { GATEWAY_PORT_RANGE: '17000-16000' }],
    ['GATEWAY_PORT_RANGE', { GATEWAY_PORT_RANGE: '1-70000' }],
    ['MAX_PRUNE_FRACTION', { MAX_PRUNE_FRACTION: '1.5' }],
    ['EVENT_MAX_AGE_SECONDS', { EVENT_MAX_AGE_SECONDS: '-1' }],
    ['RESYNC_AUDIENCE', { RESYNC_AUDIENCE: undefined }],
    ['RESYNC_AUDIENCE', { RESYNC_AUDIENCE: 'resync' }],
    ['RESYNC_AUDIENCE', { RESYNC_AUDIENCE: 'http://resync-unittest-uc.a.run.app' }],
    ['RESYNC_AUDIENCE', { RESYNC_AUDIENCE: 'https://resync-unittest-uc.a.run.app?x=1' }],
    ['RESYNC_AUTH', { RESYNC_AUTH: 'none' }],
    ['RESYNC_AUTH', { RESYNC_AUTH: 'Cloud-Run' }],
    ['RESYNC_ALLOWED_PRINCIPALS', { RESYNC_ALLOWED_PRINCIPALS: 'not-an-email' }],
    ['AUDIT_TOPIC', { AUDIT_TOPIC: 'audit' }],
    ['OWNER_ID', { OWNER_ID: 'has space' }],
  ];

  test.each(bad)('a bad %s stops start-up with a message naming it', (variable, overrides) => {
    const env = { ...BASE_ENV, ...overrides };
    for (const [k, v] of Object.entries(overrides))
      if (v === undefined) delete (env as Record<string, string | undefined>)[k];
    const parseAll = (): unknown => [parseSettings(env), parseResyncAuth(env)];
    expect(parseAll).toThrow(ConfigError);
    expect(parseAll).toThrow(new RegExp(`^${variable}: expected`));
  });

  test('every documented default parses', () => {
    for (const variable of CONFIG_VARIABLES.filter((v) => v.default !== undefined)) {
      const env = { ...BASE_ENV, [variable.name]: variable.default };
      expect(() => [parseSettings(env), parseResyncAuth(env)]).not.toThrow();
    }
  });
});

test('a configuration with several bad variables names every one of them at once', () => {
  const bad = {
    ...BASE_ENV,
    MEMORYSTORE_PROJECT: 'X',
    SYNC_MODE: 'sideways',
    GATEWAY_PORT_RANGE: '9-1',
    KUBECONFIG: '',
  };
  let error: unknown;
  try {
    parseSettings(bad);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([
    'MEMORYSTORE_PROJECT',
    'GKE_CLUSTER_ENDPOINT',
    'SYNC_MODE',
    'GATEWAY_PORT_RANGE',
  ]);
  expect((error as ConfigError).message.split('\n')).toHaveLength(4);
});
