import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { applyManifests, loadKubeconfig, outcome } from '../../dev/harness/control-plane/index.js';
import { seededRandom } from '../../dev/harness/kube-proxy/fault-mix.js';
import { plantForeignObjects } from '../../dev/end-to-end/foreign-objects.js';
import { runStorm, type InstanceScript } from '../../dev/end-to-end/storm.js';
import { stormFigures } from '../../dev/end-to-end/storm-figures.js';
import { parseRenderSettings } from '../../shared/config/parse-config.js';
import { planSettingsOf } from '../../shared/plan/plan-settings.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import { servicePortName } from '../../shared/render/port-names.js';
import { renderEgress } from '../../shared/render/render-instance.js';
import { OWNER_ID, PARENT, SYNC_USER, startPhaseStack, type PhaseStack, type SharedParts } from './chaos-stack.js';
import { stormRow, type PhaseRow } from './figures.js';
import { describeFindings } from './storm-phase.js';

type Spec = Record<string, unknown>;
type Attack = { readonly what: string; readonly send: () => Promise<{ status: number; message: string }> };

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const octet = (random: () => number): number => Math.floor(random() * 256);

/** A public IPv4 address: first octet outside 10, 100, 127, 172, 192 (the private and special ranges start there). */
function publicAddress(random: () => number): string {
  const first = pick(random, [1, 8, 23, 34, 35, 52, 104, 142, 151, 185, 203, 216]);
  return `${first}.${octet(random)}.${octet(random)}.${octet(random)}`;
}

/**
 * A port outside the default GATEWAY_PORT_RANGE (16000-16999), some of them Envoy's and sshd's own; never the
 * installer's ports nor another deployment's (17500), which the Service's own validation would refuse as duplicates.
 */
const outsidePort = (random: () => number): number =>
  random() < 0.5 ? pick(random, [22, 15000, 15001, 15006, 15021, 15090]) : 17501 + Math.floor(random() * 40000);

/**
 * One change a stolen functions identity might make to what the project renders, with random values: each opens egress,
 * takes a host or a gateway, weakens TLS, or moves a gateway port. Istio's CRDs accept every one.
 */
function mutations(random: () => number, gatewayHost: string): Array<[string, string, (spec: Spec) => Spec]> {
  const foreignHost = pick(random, ['*.com', 'api.stripe.com', 'redis.default.svc.cluster.local', '*.local']);
  return [
    ['ServiceEntry', `hosts ${foreignHost}`, (s) => ({ ...s, hosts: [foreignHost] })],
    ['ServiceEntry', 'a public address', (s) => ({ ...s, addresses: [`${publicAddress(random)}/32`] })],
    ['ServiceEntry', 'a range', (s) => ({ ...s, addresses: [pick(random, ['0.0.0.0/0', '10.0.0.0/8', '::/0'])] })],
    ['ServiceEntry', 'a public endpoint', (s) => ({ ...s, endpoints: [{ address: publicAddress(random) }] })],
    ['ServiceEntry', 'MESH_INTERNAL', (s) => ({ ...s, location: 'MESH_INTERNAL' })],
    // In place of the endpoints: Istio's CRD refuses the two together.
    [
      'ServiceEntry',
      'a workload selector',
      ({ endpoints: _endpoints, ...s }) => ({ ...s, workloadSelector: { labels: { app: 'payments' } } }),
    ],
    ['Gateway', 'the ingress gateway', (s) => ({ ...s, selector: { istio: 'ingressgateway' } })],
    [
      'Gateway',
      'a port outside the range',
      (s) => ({
        ...s,
        servers: (s['servers'] as Spec[]).map((v) => ({
          ...v,
          port: { ...(v['port'] as Spec), number: outsidePort(random) },
        })),
      }),
    ],
    [
      'Gateway',
      `hosts ${foreignHost}`,
      (s) => ({ ...s, servers: (s['servers'] as Spec[]).map((v) => ({ ...v, hosts: [foreignHost] })) }),
    ],
    ['DestinationRule', `host ${foreignHost}`, (s) => ({ ...s, host: foreignHost })],
    ['DestinationRule', 'TLS disabled', (s) => ({ ...s, trafficPolicy: { tls: { mode: 'DISABLE' } } })],
    ['VirtualService', `hosts ${foreignHost}`, (s) => ({ ...s, hosts: [foreignHost] })],
    [
      'VirtualService',
      'the ingress gateway',
      (s) => ({ ...s, gateways: ['mesh', 'istio-system/istio-ingressgateway'] }),
    ],
    [
      'VirtualService',
      'a route elsewhere',
      (s) => ({ ...s, tcp: [{ route: [{ destination: { host: pick(random, [foreignHost, `x${gatewayHost}`]) } }] }] }),
    ],
  ];
}

/**
 * Seeded attacks as the functions' own identity while the functions do their work: the Istio objects the project
 * renders for an instance with one thing changed, and ports named as the project names them added outside the range,
 * or another deployment's port renumbered or taken. Sent with dryRun=All, which runs admission exactly as a write does
 * and stores nothing, so the functions' own objects are never disturbed. Every attack must be refused; the functions'
 * own work must still converge (the storm figures).
 */
export async function stolenIdentityPhase(
  parts: SharedParts,
  name: string,
  options: { attacks: number; instances: number; seed: number },
): Promise<PhaseRow> {
  const started = Date.now();
  const stack = await startPhaseStack(parts, name);
  try {
    const foreign = await plantForeignObjects(stack.cluster, await stack.cluster.gatewayPorts());
    const theirs = {
      name: servicePortName(instance('theirs'), 'primary'),
      port: 17500,
      targetPort: 17500,
      protocol: 'TCP',
    };
    await applyManifests(
      parts.controlPlane.adminKubeconfigPath,
      stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-egressgateway', namespace: name },
        spec: { ports: [theirs] },
      }),
      'memorystore-egress-sync/another-deployment',
    );
    const scripts: InstanceScript[] = Array.from({ length: options.instances }, (_, i) => ({
      id: `stolen-${i}`,
      steps: i % 2 === 0 ? ['create', 'replicas'] : ['create'],
    }));
    const storm = runStorm({ redis: stack.redis, memorystore: stack.memorystore, parent: PARENT }, scripts, 5);
    const api = KubernetesObjectApi.makeApiClient(loadKubeconfig(parts.controlPlane.kubeconfigFor(SYNC_USER)));
    const attacks = attackList(api, stack, theirs, options);
    const admitted: string[] = [];
    const refusedOtherwise: string[] = [];
    for (const attack of attacks) {
      const result = await attack.send();
      if (result.status < 300) admitted.push(attack.what);
      else if (!result.message.includes('ValidatingAdmissionPolicy')) refusedOtherwise.push(attack.what);
    }
    const baseline = await Promise.all(
      rendered(stack.functionEnv).map((o) => outcome(api.create(o, undefined, 'All'))),
    );
    await storm;
    const settled = await stack.bridge.idle(3000, 300_000).then(
      () => undefined,
      (error: Error) => error.message.slice(0, 200),
    );
    const figures = await stormFigures({
      ...stack,
      everSeen: scripts.map((s) => `${PARENT}/instances/${s.id}`),
      foreign,
      deliveries: stack.bridge.deliveries,
      dryRunResync: () => stack.resync('?dryRun=true'),
    });
    const refusedBaseline = baseline.filter((b) => b.status >= 300).map((b) => b.message.slice(0, 200));
    const details = [
      settled,
      admitted.length ? `admitted: ${admitted.slice(0, 4).join('; ')}` : undefined,
      // Not a defect of the lane, but an attack that tests nothing of it: the catalogue needs mending.
      refusedOtherwise.length ? `refused before the policy: ${refusedOtherwise.slice(0, 4).join('; ')}` : undefined,
      refusedBaseline.length ? `what the project renders was refused: ${refusedBaseline[0]}` : undefined,
      ...describeFindings(figures),
    ].filter((d): d is string => d !== undefined);
    return {
      ...stormRow(name, Math.round((Date.now() - started) / 1000), figures),
      attacksAdmitted: admitted.length,
      ...(details.length ? { note: details.join('; ') } : {}),
    };
  } finally {
    await stack.stop();
  }
}

function instance(id: string) {
  const parsed = parseInstanceName(`${PARENT}/instances/${id}`);
  if (!parsed) throw new Error(`bad instance id ${id}`);
  return parsed;
}

/** What the functions render for one instance with the settings they run with (egress-gateway mode). */
function rendered(functionEnv: Readonly<Record<string, string>>): KubeObject[] {
  return renderEgress(
    instance('target'),
    [{ role: 'primary', address: '10.0.0.3', port: 6379, gatewayPort: 16379 }],
    planSettingsOf(parseRenderSettings(functionEnv)),
  );
}

function attackList(
  api: KubernetesObjectApi,
  stack: PhaseStack,
  theirs: { name: string; port: number; targetPort: number; protocol: string },
  options: { attacks: number; seed: number },
): Attack[] {
  const { namespace } = stack;
  const random = seededRandom(options.seed);
  const objects = rendered(stack.functionEnv);
  const gatewayHost = `istio-egressgateway.${namespace}.svc.cluster.local`;
  const service = (ports: readonly object[]): KubernetesObject =>
    ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-egressgateway', namespace },
      spec: { ports },
    }) as KubernetesObject;
  const ourName = servicePortName(instance('target'), 'primary');
  return Array.from({ length: options.attacks }, (): Attack => {
    if (random() < 0.25) {
      const port = outsidePort(random);
      const [what, ports, strategy] = pick(random, [
        [
          `add ${ourName} on ${port}`,
          [{ name: ourName, port, targetPort: port, protocol: 'TCP' }],
          PatchStrategy.ServerSideApply,
        ],
        [`renumber theirs to ${port}`, [{ ...theirs, port, targetPort: port }], PatchStrategy.MergePatch],
        [`take theirs as ${ourName}`, [{ ...theirs, name: ourName }], PatchStrategy.MergePatch],
      ] as const);
      // A merge patch replaces the whole list: the installer's ports stay, theirs goes, the attack's comes.
      const body = strategy === PatchStrategy.MergePatch ? [...INSTALLER_PORTS, ...ports] : ports;
      // As the functions apply (their field manager, forced); `force` is for apply patches only.
      const apply = strategy === PatchStrategy.ServerSideApply;
      const manager = apply ? `memorystore-egress-sync/${OWNER_ID}` : undefined;
      const send = () => outcome(api.patch(service(body), undefined, 'All', manager, apply || undefined, strategy));
      return { what, send };
    }
    const [kind, what, change] = pick(random, mutations(random, gatewayHost));
    const base = objects.find((o) => o.kind === kind)!;
    const object: KubernetesObject & { spec: Spec } = { ...base, spec: change(structuredClone(base.spec)) };
    return { what: `${kind}: ${what}`, send: () => outcome(api.create(object, undefined, 'All')) };
  });
}

/** The installer's ports on the egress gateway Service (dev/harness/control-plane/fixtures.ts). */
const INSTALLER_PORTS = [
  { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
  { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
];
