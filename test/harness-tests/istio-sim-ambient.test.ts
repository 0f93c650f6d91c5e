import { APP_NAME, LABEL_MANAGED_BY, LABEL_OWNER } from '../../shared/model/k8s-object.js';
import { simulateAmbient, waypointObjects, type AmbientInput } from '../../dev/harness/istio-sim/ambient.js';

/**
 * Ambient egress through a waypoint, with Istio's own code: the objects `SYNC_MODE=ambient` writes (a ServiceEntry
 * enrolled to the egress namespace's waypoint, an AuthorizationPolicy targeting it) in a namespace the installer
 * enrolled, and the waypoint as Istio creates it. Istio's ambient index must serve the instance's address through the
 * waypoint, and the waypoint's generated RBAC must admit exactly the declared identity.
 */
const egress = 'egress';
const host = 'redis-a.memorystore.internal';
const declared = 'spiffe://cluster.local/ns/team-a/sa/app';
const waypoint = { namespace: egress, name: 'waypoint', ip: '10.1.0.30' };
const enrolled = { 'istio.io/use-waypoint': 'waypoint' };

const entry = (labels: Record<string, string> = enrolled, spec: object = {}): object => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: {
    name: 'redis-a',
    namespace: egress,
    labels: { ...labels, [LABEL_MANAGED_BY]: APP_NAME, [LABEL_OWNER]: 'sim' },
  },
  spec: {
    hosts: [host],
    addresses: ['10.0.0.5/32'],
    ports: [{ number: 6379, name: 'tcp-redis', protocol: 'TCP' }],
    location: 'MESH_EXTERNAL',
    resolution: 'STATIC',
    endpoints: [{ address: '10.0.0.5' }],
    exportTo: ['.', 'team-a'],
    ...spec,
  },
});
const policy = {
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name: 'redis-a', namespace: egress },
  spec: {
    targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'redis-a' }],
    action: 'ALLOW',
    rules: [
      {
        from: [{ source: { principals: ['cluster.local/ns/team-a/sa/app'] } }],
        to: [{ operation: { ports: ['6379'] } }],
      },
    ],
  },
};
const namespace = (name: string, labels: Record<string, string>): object => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const client = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app', namespace: 'team-a', labels: { app: 'app' } },
  spec: { serviceAccountName: 'app', containers: [{ name: 'app', image: 'app' }] },
  status: { phase: 'Running', podIP: '10.1.1.7', podIPs: [{ ip: '10.1.1.7' }] },
};

const input = (istio: object[], namespaceLabels: Record<string, string> = enrolled): AmbientInput => ({
  istio,
  kube: [
    namespace(egress, namespaceLabels),
    namespace('team-a', { 'istio.io/dataplane-mode': 'ambient' }),
    client,
    ...waypointObjects(egress, waypoint.ip, '10.96.0.30'),
  ],
  waypoint,
  lookups: ['10.0.0.5', '10.9.9.9'],
  calls: [
    { address: '10.0.0.5', port: 6379, principal: declared },
    { address: '10.0.0.5', port: 6379, principal: 'spiffe://cluster.local/ns/team-b/sa/app' },
    { address: '10.0.0.5', port: 6379 },
    { address: '10.9.9.9', port: 6379, principal: declared },
  ],
});

const chainName = `inbound-vip|6379|tcp|${host}`;

test("the instance's address is a service in Istio's ambient index, served through the egress namespace's waypoint", async () => {
  const { lookups } = await simulateAmbient(input([entry(), policy]));
  expect(lookups[0]).toMatchObject({
    address: '10.0.0.5',
    service: `${egress}/${host}`,
    ports: [6379],
    waypoint: `${egress}/waypoint.${egress}.svc.cluster.local`,
    waypointPort: 15008,
  });
  // No ServiceEntry declares it: Istio gives ztunnel nothing for it (no service, no workload).
  expect(lookups[1]).toEqual({ address: '10.9.9.9' });
});

test("the waypoint's generated chain goes to the instance's address, and its RBAC admits exactly the declared identity", async () => {
  const { chains, calls } = await simulateAmbient(input([entry(), policy]));
  const chain = chains.find((c) => c.name === chainName);
  expect(chain).toMatchObject({ cluster: chainName, clusterType: 'EDS', endpoints: ['10.0.0.5:6379'] });
  expect(chain?.rbac).toHaveLength(1);
  expect(calls.map((c) => [c.chain ?? c.error, c.decision])).toEqual([
    [chainName, 'allow'],
    [chainName, 'deny'],
    [chainName, 'deny'],
    ['no filter chain matched', undefined],
  ]);
});

test('without an AuthorizationPolicy the waypoint admits any caller: the policy is what denies', async () => {
  const { calls } = await simulateAmbient(input([entry()]));
  expect(calls.slice(0, 3).map((c) => c.decision)).toEqual(['allow', 'allow', 'allow']);
});

test('enrolment is what puts the waypoint in the path: without the use-waypoint label the address bypasses it', async () => {
  // The label on the ServiceEntry alone is enough, and so is the namespace's alone.
  for (const [entryLabels, namespaceLabels] of [
    [enrolled, {}],
    [{}, enrolled],
  ] as const) {
    const { lookups, calls } = await simulateAmbient(input([entry(entryLabels), policy], namespaceLabels));
    expect(lookups[0]?.waypoint).toBe(`${egress}/waypoint.${egress}.svc.cluster.local`);
    expect(calls[0]?.decision).toBe('allow');
  }
  const { lookups, chains, calls } = await simulateAmbient(input([entry({}), policy], {}));
  expect(lookups[0]).toMatchObject({ service: `${egress}/${host}` });
  expect(lookups[0]?.waypoint).toBeUndefined();
  // ztunnel would connect straight to the instance; the waypoint has nothing for it, and its policy never runs.
  expect(chains.map((c) => c.name)).not.toContain(chainName);
  expect(calls[0]?.error).toBe('no filter chain matched');
});

test('an endpoint at the VIP is also a workload without a waypoint; with resolution NONE the VIP is the service alone', async () => {
  // ztunnel looks an address up as a workload before it looks for a service VIP (istio/ztunnel src/state.rs
  // find_address), so a STATIC endpoint at the VIP gives it a workload with no waypoint for that address.
  const statically = await simulateAmbient(input([entry(), policy]));
  expect(statically.lookups[0]?.workloads).toEqual([{ name: `${egress}/redis-a`, tunnelProtocol: 'NONE' }]);
  const passthrough = await simulateAmbient(
    input([entry(enrolled, { resolution: 'NONE', endpoints: undefined }), policy]),
  );
  expect(passthrough.lookups[0]).toMatchObject({
    service: `${egress}/${host}`,
    waypoint: `${egress}/waypoint.${egress}.svc.cluster.local`,
  });
  expect(passthrough.lookups[0]?.workloads).toBeUndefined();
  // The waypoint then sends the connection on to the address the client dialled, through the same RBAC.
  expect(passthrough.chains.find((c) => c.name === chainName)).toMatchObject({ clusterType: 'ORIGINAL_DST' });
  expect(passthrough.calls.slice(0, 2).map((c) => c.decision)).toEqual(['allow', 'deny']);
});

// Named after the addresses' last octets: a host per address, as the waypoint keeps one service per host.
const nodesName = (from: number, addresses: string[]): string =>
  `nodes-${from}-${addresses.map((a) => a.split('.').pop()).join('-')}`;
const nodes = (from: number, addresses: string[]): object => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: nodesName(from, addresses), namespace: egress, labels: enrolled },
  spec: {
    hosts: [`${nodesName(from, addresses)}.${host}`],
    addresses: addresses.map((a) => `${a}/32`),
    ports: [0, 1].map((i) => ({ number: from + i, name: `tcp-redis-${from + i}`, protocol: 'TCP' })),
    location: 'MESH_EXTERNAL',
    resolution: 'NONE',
  },
});
const nodeCalls = [11000, 11002].flatMap((port) => ['10.0.0.6', '10.0.0.7'].map((address) => ({ address, port })));

test('one ServiceEntry per address and port block: the waypoint takes each port on each address, trying every range', async () => {
  const { calls } = await simulateAmbient({
    ...input(['10.0.0.6', '10.0.0.7'].flatMap((a) => [nodes(11000, [a]), nodes(11002, [a])])),
    calls: [...nodeCalls, { address: '10.0.0.6', port: 11004 }],
  });
  expect(calls.map((c) => c.chain ?? c.error)).toEqual([
    `inbound-vip|11000|tcp|nodes-11000-6.${host}`,
    `inbound-vip|11000|tcp|nodes-11000-7.${host}`,
    `inbound-vip|11002|tcp|nodes-11002-6.${host}`,
    `inbound-vip|11002|tcp|nodes-11002-7.${host}`,
    'no filter chain matched',
  ]);
});

test('a ServiceEntry with two addresses is served by the waypoint on one of them only', async () => {
  // Istio's waypoint keeps one service per host and namespace (pilot/pkg/networking/core/waypoint.go
  // findWaypointResources), and a ServiceEntry becomes one service per address: the other address gets no chain.
  const { calls, lookups } = await simulateAmbient({
    ...input([nodes(11000, ['10.0.0.6', '10.0.0.7'])]),
    lookups: ['10.0.0.6', '10.0.0.7'],
    calls: nodeCalls.slice(0, 2),
  });
  // Yet the index serves both addresses through the waypoint: ztunnel sends both there.
  expect(lookups.map((l) => l.waypoint)).toEqual([
    `${egress}/waypoint.${egress}.svc.cluster.local`,
    `${egress}/waypoint.${egress}.svc.cluster.local`,
  ]);
  expect(calls.map((c) => c.chain ?? c.error).sort()).toEqual([
    `inbound-vip|11000|tcp|nodes-11000-6-7.${host}`,
    'no filter chain matched',
  ]);
});

test('an Istio object Istio cannot read fails loudly instead of leaving a policy out', async () => {
  const misspelt = { ...policy, kind: 'AuthorisationPolicy' };
  await expect(simulateAmbient(input([entry(), misspelt]))).rejects.toThrow(/istio-sim failed[^]*AuthorisationPolicy/);
});
