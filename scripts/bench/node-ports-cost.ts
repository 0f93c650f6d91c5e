/**
 * What SHARDED_NODE_PORTS costs, for one sharded target (a Redis Cluster with two PSC addresses, as the API reports
 * one), measured with the real parts:
 * - the objects the project's own core renders for it in direct mode, written by the project's own Kubernetes adapter
 *   into a real kube-apiserver with Istio's CRDs, and read back: bytes per object as stored (JSON, managedFields
 *   included), against the 1.5 MiB etcd accepts in one request (etcd's --max-request-bytes default);
 * - Istio's own config generation (dev/components/istio): listeners and clusters a sidecar and the egress
 *   gateway are given, and their size as serialized protobuf, with and without the node-port ServiceEntries;
 * - how long the apiserver takes to write 11000-13047 in blocks of 256, 128 and 64 ports (Istio's CRD checks that no
 *   port number repeats by comparing every port with every other), which is why the project uses blocks of 64;
 * - the same target in ambient mode with declared access: the same ServiceEntries, labelled for the waypoint, and the
 *   waypoint policies attached to them (16 targets a policy), written and read back the same way. What the waypoint
 *   and ztunnel are given for them is not measured here (the simulator builds sidecar and gateway config only).
 *   npm run bench:node-ports
 */
import { request } from 'node:https';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import { parseRenderSettings } from '../../shared/config/parse-config.js';
import { planSettingsOf } from '../../shared/plan/plan-settings.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import { ISTIO_API_VERSION, type KubeObject } from '../../shared/model/k8s-object.js';
import { desiredState } from '../../shared/plan/desired-state.js';
import { splitPortRange } from '../../shared/render/render-node-ports.js';
import { SHARDED_NODE_PORT_RANGE } from '../../shared/products/node-ports.js';
import { toRedisClusterInstance } from '../../shared/products/redis-cluster/mapper.js';
import {
  createAll,
  createEgressGatewayFixtures,
  loadKubeconfig,
  type ControlPlane,
} from '../../dev/harness/control-plane/index.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { asInput, gatewayPod, simulate, type ProxyCost } from '../../dev/harness/istio-sim/index.js';

const NAMESPACE = 'istio-system';
const RELATIVE = 'projects/bench-project/locations/us-central1/clusters/ledger';
const ETCD_REQUEST_LIMIT = 1.5 * 1024 * 1024;

const AMBIENT_NAMESPACE = 'istio-egress';

function rendered(mode: 'direct' | 'ambient' = 'direct'): KubeObject[] {
  const settings = parseRenderSettings({
    MEMORYSTORE_PROJECT: 'bench-project',
    SYNC_MODE: mode,
    SHARDED_NODE_PORTS: 'true',
    ISTIO_NAMESPACE: mode === 'direct' ? NAMESPACE : AMBIENT_NAMESPACE,
    OWNER_ID: 'bench',
  });
  const network = 'projects/bench-project/global/networks/default';
  const instance = toRedisClusterInstance({
    name: RELATIVE,
    state: 'ACTIVE',
    discoveryEndpoints: [{ address: '10.142.0.13', port: 6379, pscConfig: { network } }],
    pscConnections: [
      { address: '10.142.0.13', network },
      { address: '10.142.0.14', network },
    ],
  });
  const name = parseInstanceName(instance.name)!;
  // Ambient with declared access: one namespace and one service account may reach the target.
  const grant = { namespaces: ['apps'], principals: ['cluster.local/ns/web/sa/api'], declaredBy: ['apps/caches'] };
  return [
    ...desiredState({
      scope: [{ name, instance }],
      owned: [],
      settings: planSettingsOf(settings),
      ...(mode === 'ambient' ? { access: new Map([[name.full, grant]]) } : {}),
    }).desired,
  ];
}

/** The object's bytes as the apiserver returns it (what it keeps in etcd, as JSON). */
function storedBytes(controlPlane: ControlPlane, object: KubeObject): Promise<number> {
  const resource = object.kind === 'ServiceEntry' ? 'serviceentries' : 'authorizationpolicies';
  const url = new URL(
    `/apis/${object.apiVersion}/namespaces/${object.metadata.namespace}/${resource}/${object.metadata.name}`,
    controlPlane.server,
  );
  return new Promise((resolve, reject) => {
    // The local apiserver's own certificate; the admin token is static.
    const req = request(
      url,
      { headers: { Authorization: `Bearer ${controlPlane.adminToken}` }, rejectUnauthorized: false },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(bytes) : reject(new Error(`GET ${url.pathname}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function costs(objects: readonly KubeObject[]): Promise<Readonly<Record<string, ProxyCost | undefined>>> {
  const labels = { istio: 'egressgateway' };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istio-egressgateway', namespace: NAMESPACE },
    spec: { clusterIP: '10.96.0.20', selector: labels, ports: [{ name: 'http2', port: 80 }] },
  };
  const answer = await simulate({
    istio: objects.map(asInput),
    kube: [service, gatewayPod(service, '10.1.0.9')],
    sidecar: { namespace: 'apps' },
    gateway: { namespace: NAMESPACE, labels, ip: '10.1.0.9' },
    calls: [],
  });
  return answer.cost;
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** Creates 11000-13047 as blocks of `size` ports, one after another, and returns how long the writes took. */
async function writeRange(
  store: KubeClusterStore,
  size: number,
  round: number,
): Promise<{ objects: number; ms: number }> {
  const blocks = splitPortRange(SHARDED_NODE_PORT_RANGE, size);
  const start = performance.now();
  for (const { from, to } of blocks) {
    const name = `round-${round}-block-${size}-${from}`;
    const ports = Array.from({ length: to - from + 1 }, (_, i) => ({
      number: from + i,
      name: `tcp-redis-${from + i}`,
      protocol: 'TCP',
    }));
    const spec = {
      hosts: [`${name}.bench.internal`],
      addresses: ['10.142.0.13/32', '10.142.0.14/32'],
      ports,
      location: 'MESH_EXTERNAL',
      resolution: 'NONE',
      exportTo: ['*'],
    };
    await store.create({
      apiVersion: ISTIO_API_VERSION,
      kind: 'ServiceEntry',
      metadata: { name, namespace: NAMESPACE },
      spec,
    });
  }
  return { objects: blocks.length, ms: performance.now() - start };
}

/** The target's objects in ambient mode, declared access: written, read back, counted and sized like direct mode's. */
async function ambientObjects(controlPlane: ControlPlane, store: KubeClusterStore): Promise<void> {
  const objects = rendered('ambient');
  await createAll(controlPlane.adminKubeconfigPath, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AMBIENT_NAMESPACE } },
  ]);
  const start = performance.now();
  for (const object of objects) await store.create(object);
  const written = performance.now() - start;
  const sizes = await Promise.all(objects.map((o) => storedBytes(controlPlane, o)));
  const policies = objects.filter((o) => o.kind === 'AuthorizationPolicy');
  const policySizes = sizes.filter((_, i) => objects[i]!.kind === 'AuthorizationPolicy');
  console.log(
    `ambient: ${objects.length - policies.length} ServiceEntries and ${policies.length} AuthorizationPolicies, written one after another in ${(written / 1000).toFixed(1)} s`,
  );
  console.log(
    `ambient stored: largest ${kib(Math.max(...sizes))}, all ${kib(sizes.reduce((a, b) => a + b, 0))}; policies ${kib(policySizes.reduce((a, b) => a + b, 0))} (largest ${kib(Math.max(...policySizes))})`,
  );
}

async function main(): Promise<void> {
  const objects = rendered();
  const controlPlane = await startRigCluster({ users: [] });
  try {
    await createEgressGatewayFixtures(controlPlane.adminKubeconfigPath, { namespace: NAMESPACE });
    const store = new KubeClusterStore(loadKubeconfig(controlPlane.adminKubeconfigPath), 'bench');
    const start = performance.now();
    for (const object of objects) await store.create(object);
    const written = performance.now() - start;
    const sizes = await Promise.all(objects.map((o) => storedBytes(controlPlane, o)));
    console.log(
      `objects: ${objects.length} ServiceEntries (${objects.filter((o) => o.metadata.name.includes('-nodes-')).length} of node ports), written one after another in ${(written / 1000).toFixed(1)} s`,
    );
    console.log(
      `stored: largest ${kib(Math.max(...sizes))}, all ${kib(sizes.reduce((a, b) => a + b, 0))}; etcd takes ${kib(ETCD_REQUEST_LIMIT)} per object (largest = ${((100 * Math.max(...sizes)) / ETCD_REQUEST_LIMIT).toFixed(1)}%)`,
    );
    await ambientObjects(controlPlane, store);
    // Two rounds in opposite orders, so a warming apiserver favours no block size.
    for (const [round, order] of [
      [256, 128, 64],
      [64, 128, 256],
    ].entries()) {
      for (const size of order) {
        const { objects: count, ms } = await writeRange(store, size, round);
        console.log(
          `round ${round + 1}: 11000-13047 in blocks of ${size}: ${count} objects written in ${(ms / 1000).toFixed(1)} s`,
        );
      }
    }
  } finally {
    await controlPlane.stop();
  }
  const withNodes = await costs(objects);
  const without = await costs(objects.filter((o) => !o.metadata.name.includes('-nodes-')));
  console.log('\n| proxy | listeners | listener bytes | clusters | cluster bytes |\n|---|---|---|---|---|');
  for (const proxy of ['sidecar', 'egress-gateway']) {
    for (const [label, cost] of [
      ['discovery only', without[proxy]],
      ['with node ports', withNodes[proxy]],
    ] as const) {
      console.log(
        `| ${proxy}, ${label} | ${cost?.listeners ?? 0} | ${kib(cost?.listenerBytes ?? 0)} | ${cost?.clusters ?? 0} | ${kib(cost?.clusterBytes ?? 0)} |`,
      );
    }
  }
}

await main();
