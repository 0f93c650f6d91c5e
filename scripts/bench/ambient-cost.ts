/**
 * What a sharded target's node ports cost in ambient mode, with Istio's own code (dev/components/istio): one Redis
 * Cluster with two PSC addresses, its discovery endpoint (6379) and its node ports (TCP 11000-13047 on both
 * addresses, in ServiceEntries of 64 ports, resolution NONE), every ServiceEntry enrolled to the egress namespace's
 * waypoint; the node ports once as direct mode writes them (each block on both addresses), once as one ServiceEntry
 * per address and block. Printed per case:
 * - the waypoint: listeners, filter chains and clusters istiod would push to it, and their size (serialized protobuf);
 * - ztunnel: what Istio's ambient index holds (services, their ports, workloads) and the size of those WDS Address
 *   resources, which every ztunnel receives;
 * - a sidecar still in the mesh, for comparison with direct mode: what it is given for the same ServiceEntries
 *   exported to it.
 * How long each config generation took (one process: the fake discovery server's start included) is printed too.
 *   npm run bench:ambient-cost
 */
import { SHARDED_NODE_PORT_RANGE } from '../../shared/products/node-ports.js';
import { splitPortRange } from '../../shared/render/render-node-ports.js';
import { simulateAmbient, waypointObjects, type AmbientAnswer } from '../../dev/harness/istio-sim/ambient.js';
import { gatewayPod, simulate, type ProxyCost } from '../../dev/harness/istio-sim/index.js';

const EGRESS = 'egress';
const ADDRESSES = ['10.142.0.13', '10.142.0.14'];
const WAYPOINT = { namespace: EGRESS, name: 'waypoint', ip: '10.1.0.30' };
const ENROLLED = { 'istio.io/use-waypoint': 'waypoint' };

const serviceEntry = (name: string, spec: object): object => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name, namespace: EGRESS, labels: ENROLLED },
  spec: { location: 'MESH_EXTERNAL', exportTo: ['*'], ...spec },
});

const discovery = serviceEntry('discovery', {
  hosts: ['discovery.ledger.rediscluster.internal'],
  addresses: [`${ADDRESSES[0]}/32`],
  ports: [{ number: 6379, name: 'tcp-redis', protocol: 'TCP' }],
  resolution: 'STATIC',
  endpoints: [{ address: ADDRESSES[0] }],
});

const nodeEntry = (name: string, addresses: readonly string[], from: number, to: number): object =>
  serviceEntry(name, {
    hosts: [`${name}.ledger.rediscluster.internal`],
    addresses: addresses.map((a) => `${a}/32`),
    ports: Array.from({ length: to - from + 1 }, (_, i) => ({
      number: from + i,
      name: `tcp-redis-${from + i}`,
      protocol: 'TCP',
    })),
    resolution: 'NONE',
  });

const blocks = splitPortRange(SHARDED_NODE_PORT_RANGE);
// As direct mode writes them: each block on every address.
const sharedAddresses = blocks.map(({ from, to }) => nodeEntry(`nodes-${from}`, ADDRESSES, from, to));
// One ServiceEntry per address and block: Istio's waypoint serves a ServiceEntry on one of its addresses only.
const perAddress = ADDRESSES.flatMap((address, i) =>
  blocks.map(({ from, to }) => nodeEntry(`nodes-${i}-${from}`, [address], from, to)),
);

async function ambient(istio: object[]): Promise<{ answer: AmbientAnswer; ms: number }> {
  const start = performance.now();
  const answer = await simulateAmbient({
    istio,
    kube: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: EGRESS, labels: ENROLLED } },
      ...waypointObjects(EGRESS, WAYPOINT.ip, '10.96.0.30'),
    ],
    waypoint: WAYPOINT,
    detail: false,
    // A node port on each address: which chain of the waypoint takes it.
    calls: ADDRESSES.map((address) => ({ address, port: 12000 })),
  });
  return { answer, ms: performance.now() - start };
}

async function sidecar(istio: object[]): Promise<ProxyCost | undefined> {
  const labels = { istio: 'egressgateway' };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'istio-egressgateway', namespace: 'istio-system' },
    spec: { clusterIP: '10.96.0.20', selector: labels, ports: [{ name: 'http2', port: 80 }] },
  };
  const answer = await simulate({
    istio,
    kube: [service, gatewayPod(service, '10.1.0.9')],
    sidecar: { namespace: 'apps' },
    gateway: { namespace: 'istio-system', labels, ip: '10.1.0.9' },
    calls: [],
  });
  return answer.cost['sidecar'];
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const count = (n: number): string => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const cases = [
    ['discovery endpoint only', [discovery]],
    [`node ports, ${sharedAddresses.length} entries on both addresses`, [discovery, ...sharedAddresses]],
    [`node ports, ${perAddress.length} entries of one address`, [discovery, ...perAddress]],
  ] as const;
  console.log(
    '| case | waypoint listeners | filter chains | listener config | clusters | cluster config | generated in |\n' +
      '|---|---|---|---|---|---|---|',
  );
  const results = [];
  for (const [label, istio] of cases) {
    const { answer, ms } = await ambient([...istio]);
    results.push({ label, answer, side: await sidecar([...istio]) });
    const w = answer.cost.waypoint;
    console.log(
      `| ${label} | ${count(w.listeners)} | ${count(w.filterChains)} | ${kib(w.listenerBytes)} | ${count(w.clusters)} | ${kib(w.clusterBytes)} | ${(ms / 1000).toFixed(1)} s |`,
    );
  }
  console.log(
    '\n| case | ztunnel: services | service ports | workloads | WDS Address resources |\n|---|---|---|---|---|',
  );
  for (const { label, answer } of results) {
    const i = answer.cost.index;
    console.log(`| ${label} | ${count(i.services)} | ${count(i.ports)} | ${count(i.workloads)} | ${kib(i.bytes)} |`);
  }
  console.log('\n| case | a sidecar: listeners | listener config | clusters | cluster config |\n|---|---|---|---|---|');
  for (const { label, side } of results) {
    console.log(
      `| ${label} | ${count(side?.listeners ?? 0)} | ${kib(side?.listenerBytes ?? 0)} | ${count(side?.clusters ?? 0)} | ${kib(side?.clusterBytes ?? 0)} |`,
    );
  }
  for (const { label, answer } of results.slice(1)) {
    for (const { call, chain, error } of answer.calls)
      console.log(`${label}: waypoint, ${call.address}:${call.port} ⇒ ${chain ?? error}`);
  }
}

await main();
