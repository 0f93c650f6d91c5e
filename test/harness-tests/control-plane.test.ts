import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  type V1Service,
} from '@kubernetes/client-node';
import {
  outcome,
  applyManifests,
  bindRbac,
  createEgressGatewayFixtures,
  egressGatewayAnalyzeInputs,
  loadKubeconfig,
  startControlPlane,
  type ControlPlane,
} from '../../dev/harness/control-plane/index.js';
import { istioctlAnalyze, istioctlValidate, writeYamlDocs } from '../../dev/harness/istioctl/index.js';
import { sampleServiceEntry } from '../../dev/fixtures/service-entry.js';

/**
 * The control-plane harness itself, against the real kube-apiserver: Istio's CRDs enforce their schemas and CEL rules,
 * the project's RBAC manifest grants what the functions need and nothing else, and istioctl catches what CEL cannot.
 */
const USER = 'memorystore-egress-sync@test-project.iam.gserviceaccount.com';
const INTRUDER = 'intruder@example.com';
const NS = 'istio-system';
const GATEWAY_PORT = 16379;
const ISTIO = 'networking.istio.io/v1';

let controlPlane: ControlPlane;
let admin: KubernetesObjectApi;
let dir: string;

const apiFor = (kubeconfigPath: string): KubernetesObjectApi =>
  KubernetesObjectApi.makeApiClient(loadKubeconfig(kubeconfigPath));

const statusOf = async (call: Promise<unknown>): Promise<number> => (await outcome(call)).status;

/** Labelled as the functions label theirs (OWNER_ID default): the admission policy bound with the RBAC requires it. */
const OURS = { 'app.kubernetes.io/managed-by': 'memorystore-egress-sync', 'memorystore-egress-sync/owner': 'default' };

const serviceEntry = (name: string, spec: Record<string, unknown> = {}, namespace = NS) =>
  sampleServiceEntry({ name, namespace, labels: OURS }, { hosts: [`${name}.memorystore.internal`], ...spec });

/** What the project renders for one instance in egress-gateway mode (see DESIGN.md), named after `name`. */
function egressSet(
  name: string,
  { gateway = `${name}-egress`, namespace = NS } = {},
): Array<KubernetesObject & { spec: object }> {
  const host = `${name}.memorystore.internal`;
  const gatewayHost = `istio-egressgateway.${namespace}.svc.cluster.local`;
  const meta = { name: `${name}-egress`, namespace };
  return [
    serviceEntry(name, {}, namespace),
    {
      apiVersion: ISTIO,
      kind: 'Gateway',
      metadata: meta,
      spec: {
        selector: { istio: 'egressgateway' },
        servers: [
          { port: { number: GATEWAY_PORT, name: `tcp-redis-${GATEWAY_PORT}`, protocol: 'TCP' }, hosts: [host] },
        ],
      },
    },
    { apiVersion: ISTIO, kind: 'DestinationRule', metadata: meta, spec: { host: gatewayHost, subsets: [{ name }] } },
    {
      apiVersion: ISTIO,
      kind: 'VirtualService',
      metadata: meta,
      spec: {
        hosts: [host],
        gateways: ['mesh', gateway],
        tcp: [
          {
            match: [{ gateways: ['mesh'], destinationSubnets: ['10.1.2.3/32'], port: 6379 }],
            route: [{ destination: { host: gatewayHost, subset: name, port: { number: GATEWAY_PORT } } }],
          },
          {
            match: [{ gateways: [gateway], port: GATEWAY_PORT }],
            route: [{ destination: { host, port: { number: 6379 } } }],
          },
        ],
      },
    },
  ];
}

beforeAll(async () => {
  const started = Date.now();
  controlPlane = await startControlPlane({ users: [USER, INTRUDER] });
  process.stderr.write(`control plane for this file started in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  admin = apiFor(controlPlane.adminKubeconfigPath);
  dir = mkdtempSync(join(tmpdir(), 'control-plane-test-'));
  await createEgressGatewayFixtures(controlPlane.adminKubeconfigPath);
  await createEgressGatewayFixtures(controlPlane.adminKubeconfigPath, { namespace: NS, service: 'other-service' });
  await createEgressGatewayFixtures(controlPlane.adminKubeconfigPath, {
    namespace: 'elsewhere',
    service: 'istio-egressgateway',
  });
  await admin.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'redis-auth', namespace: NS },
    stringData: { auth: 'not-a-real-secret' },
  } as KubernetesObject);
}, 180_000);

afterAll(async () => {
  await controlPlane?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Istio CRDs on the real apiserver', () => {
  test.each(['serviceentries', 'gateways', 'destinationrules', 'virtualservices'])(
    '%s is Established',
    async (plural) => {
      const extensions = loadKubeconfig(controlPlane.adminKubeconfigPath).makeApiClient(ApiextensionsV1Api);
      const crd = await extensions.readCustomResourceDefinition({ name: `${plural}.networking.istio.io` });
      expect(crd.status?.conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
      expect(crd.spec.versions.find((v) => v.name === 'v1')?.served).toBe(true);
    },
  );

  test.each([
    [
      'DNS_ROUND_ROBIN with two endpoints',
      {
        resolution: 'DNS_ROUND_ROBIN',
        addresses: [],
        endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }],
      },
      'DNS_ROUND_ROBIN mode cannot have multiple endpoints',
    ],
    [
      'a CIDR address with DNS resolution',
      { resolution: 'DNS', endpoints: [{ address: 'a.example.com' }] },
      'CIDR addresses are allowed only for NONE/STATIC resolution',
    ],
  ])('a ServiceEntry with %s is rejected by its CEL rule', async (_what, spec, message) => {
    const result = await outcome(admin.create(serviceEntry('cel-rejected', spec)));
    expect(result.status).toBe(422);
    expect(result.message).toContain(message);
  });

  test('the objects rendered for one instance are accepted', async () => {
    for (const object of egressSet('accepted')) {
      const created = await admin.create(object);
      expect(created.metadata?.uid).toBeTruthy();
    }
  });
});

describe('the project RBAC manifest, bound to the functions identity', () => {
  let sync: KubernetesObjectApi;
  let intruder: KubernetesObjectApi;
  const gatewayService = (name = 'istio-egressgateway', ports: object[] = []) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { ports },
  });
  const apply = (body: KubernetesObject) =>
    sync.patch(body, undefined, undefined, 'memorystore-egress-sync', undefined, PatchStrategy.ServerSideApply);

  beforeAll(async () => {
    await bindRbac(controlPlane.adminKubeconfigPath, {
      user: USER,
      istioNamespace: NS,
      egressGatewayNamespace: NS,
      egressGatewayService: 'istio-egressgateway',
    });
    sync = apiFor(controlPlane.kubeconfigFor(USER));
    intruder = apiFor(controlPlane.kubeconfigFor(INTRUDER));
  });

  test('may create, list and delete ServiceEntries in the Istio namespace', async () => {
    expect(await statusOf(sync.create(serviceEntry('by-sync')))).toBe(200);
    const list = await sync.list(ISTIO, 'ServiceEntry', NS);
    expect(list.items.map((i) => i.metadata?.name)).toContain('by-sync');
    expect(await statusOf(sync.delete(serviceEntry('by-sync')))).toBe(200);
  });

  test('may read the egress gateway Service and apply a port of its own, leaving the installer ports alone', async () => {
    // Named as the project names its ports (tcp-<instance>-<hash>-p): the admission policy allows no other.
    const port = { name: 'tcp-cache-0123456789-p', port: GATEWAY_PORT, targetPort: GATEWAY_PORT, protocol: 'TCP' };
    // No force: the apply must not conflict with the fields "helm" holds.
    const added = (await apply(gatewayService('istio-egressgateway', [port]))) as V1Service;
    expect(added.spec?.ports?.map((p) => p.port)).toEqual([80, 443, GATEWAY_PORT]);
    expect(added.metadata?.managedFields?.map((f) => f.manager)).toEqual(
      expect.arrayContaining(['helm', 'memorystore-egress-sync']),
    );
    const removed = (await apply(gatewayService())) as V1Service;
    expect(removed.spec?.ports?.map((p) => p.port)).toEqual([80, 443]);
    expect(await statusOf(sync.read(gatewayService()))).toBe(200);
  });

  test.each([
    [
      'read a Secret',
      () => sync.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'redis-auth', namespace: NS } }),
    ],
    // In the egress gateway's namespace it may: the range's later blocks are Services of its own, found by a list
    // by its labels (terraform/kubernetes/port-services-rbac.yaml.tftpl).
    ['list Services in another namespace', () => sync.list('v1', 'Service', 'elsewhere')],
    ['list ServiceEntries in another namespace', () => sync.list(ISTIO, 'ServiceEntry', 'elsewhere')],
    ['create a ServiceEntry in another namespace', () => sync.create(serviceEntry('stray', {}, 'elsewhere'))],
    [
      'apply to another Service',
      () =>
        apply(gatewayService('other-service', [{ name: 'tcp-x', port: 17000, targetPort: 17000, protocol: 'TCP' }])),
    ],
    [
      'apply to the gateway Service of another namespace',
      () => apply({ ...gatewayService(), metadata: { name: 'istio-egressgateway', namespace: 'elsewhere' } }),
    ],
  ])('may not %s', async (_what, call) => {
    expect(await statusOf(call())).toBe(403);
  });

  test('a user without a binding may not touch ServiceEntries', async () => {
    expect(await statusOf(intruder.list(ISTIO, 'ServiceEntry', NS))).toBe(403);
    expect(await statusOf(intruder.create(serviceEntry('by-intruder')))).toBe(403);
  });
});

describe('istioctl over what the project renders', () => {
  test('validate accepts a valid ServiceEntry and rejects an invalid one', async () => {
    const valid = await istioctlValidate([writeYamlDocs(dir, [serviceEntry('valid')], 'valid.yaml')]);
    expect(valid).toMatchObject({ code: 0 });
    const duplicatePort = serviceEntry('invalid', {
      ports: [
        { number: 6379, name: 'tcp-a', protocol: 'TCP' },
        { number: 6379, name: 'tcp-b', protocol: 'TCP' },
      ],
    });
    const invalid = await istioctlValidate([writeYamlDocs(dir, [duplicatePort], 'invalid.yaml')]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stdout + invalid.stderr).toMatch(/port/i);
  });

  // Files only: istioctl drops the Pod and Service of egressGatewayAnalyzeInputs() here (see its comment), so this
  // covers the Istio objects among themselves; the next describe block covers them against the gateway.
  test('analyze (files only) finds nothing to report in a correct set', async () => {
    const gateway = join(dir, 'gateway.yaml');
    writeFileSync(gateway, egressGatewayAnalyzeInputs(NS, [GATEWAY_PORT]));
    const { messages } = await istioctlAnalyze([writeYamlDocs(dir, egressSet('redis-a'), 'correct.yaml'), gateway]);
    expect(messages.filter((m) => m.level === 'Error' || m.level === 'Warning')).toEqual([]);
  });

  test('analyze (files only) reports a VirtualService that points to a missing gateway', async () => {
    const broken = egressSet('redis-b', { gateway: 'missing-gateway' }).filter((o) => o.kind !== 'Gateway');
    const { messages } = await istioctlAnalyze([writeYamlDocs(dir, broken, 'broken.yaml')]);
    expect(messages).toContainEqual(
      expect.objectContaining({ code: 'IST0101', level: 'Error', message: expect.stringContaining('missing-gateway') }),
    );
  });
});

describe('istioctl analyze against the cluster, with the egress gateway Pod and Service in it', () => {
  const ns = 'analyzed';
  const findings = async (): Promise<string[]> => {
    const { messages } = await istioctlAnalyze(
      [writeYamlDocs(dir, egressSet('redis-c', { namespace: ns }), 'cluster.yaml')],
      { kubeconfig: controlPlane.adminKubeconfigPath },
    );
    return messages
      .filter((m) => m.level !== 'Info' && m.origin?.includes(` ${ns}/`))
      .map((m) => `${m.code} ${m.origin}`)
      .sort();
  };

  beforeAll(async () => {
    await createEgressGatewayFixtures(controlPlane.adminKubeconfigPath, { namespace: ns, pod: true });
  });

  test('reports the gateway port missing from the Service, and nothing once the port is added', async () => {
    // Both ends of the missing port: the Gateway listens where no Service port leads, the mesh leg routes to no port.
    expect(await findings()).toEqual([
      `IST0101 VirtualService ${ns}/redis-c-egress`,
      `IST0162 Gateway ${ns}/redis-c-egress`,
    ]);
    // Named as the project names its ports (tcp-<instance>-<hash>-p): the admission policy allows no other.
    const port = { name: 'tcp-cache-0123456789-p', port: GATEWAY_PORT, targetPort: GATEWAY_PORT, protocol: 'TCP' };
    await applyManifests(
      controlPlane.adminKubeconfigPath,
      stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-egressgateway', namespace: ns },
        spec: { ports: [port] },
      }),
      'memorystore-egress-sync',
    );
    expect(await findings()).toEqual([]);
  });
});
