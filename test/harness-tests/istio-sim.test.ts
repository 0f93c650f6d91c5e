import {
  describeResult,
  gatewayPod,
  isBlocked,
  simulate,
  type SimCall,
  type SimInput,
} from '../../dev/harness/istio-sim/index.js';

/**
 * The simulator must tell routed from blocked, from the objects alone: a declared address reaches its own cluster,
 * an undeclared one is blocked under REGISTRY_ONLY but not under ALLOW_ANY, and the gateway listens on the Service's
 * targetPort, not on its port.
 */
const ns = 'sim-check';
const entry = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'redis', namespace: ns },
  spec: {
    hosts: ['redis.example.internal'],
    addresses: ['10.0.0.5/32'],
    ports: [{ number: 6379, name: 'tcp-redis', protocol: 'TCP' }],
    location: 'MESH_EXTERNAL',
    resolution: 'STATIC',
    endpoints: [{ address: '10.0.0.5' }],
  },
};
const labels = { istio: 'egressgateway' };
// port ≠ targetPort on purpose: the gateway's listener must follow the targetPort.
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'istio-egressgateway', namespace: ns },
  spec: {
    clusterIP: '10.96.0.20',
    selector: labels,
    ports: [{ name: 'tcp-redis', port: 16000, targetPort: 26000, protocol: 'TCP' }],
  },
};
const gateway = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: 'redis', namespace: ns },
  spec: {
    selector: labels,
    servers: [{ port: { number: 16000, name: 'tcp-redis', protocol: 'TCP' }, hosts: ['redis.example.internal'] }],
  },
};
const route = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'redis', namespace: ns },
  spec: {
    hosts: ['redis.example.internal'],
    gateways: ['redis'],
    tcp: [
      {
        match: [{ port: 16000 }],
        route: [{ destination: { host: 'redis.example.internal', port: { number: 6379 } } }],
      },
    ],
  },
};

const input = (calls: SimCall[], extra: Partial<SimInput> = {}): SimInput => ({
  istio: [entry, gateway, route],
  kube: [service, gatewayPod(service, '10.1.0.9')],
  sidecar: { namespace: 'default' },
  gateway: { namespace: ns, labels, ip: '10.1.0.9' },
  calls,
  ...extra,
});

test('REGISTRY_ONLY: a declared address reaches its ServiceEntry, an undeclared one is blocked', async () => {
  const { results } = await simulate(
    input([
      { from: 'sidecar', address: '10.0.0.5', port: 6379 },
      { from: 'sidecar', address: '10.9.9.9', port: 6379 },
    ]),
  );
  expect(results.map(describeResult)).toEqual([
    'sidecar → 10.0.0.5:6379 ⇒ listener 10.0.0.5_6379 → cluster outbound|6379||redis.example.internal',
    'sidecar → 10.9.9.9:6379 ⇒ listener virtualOutbound filter chain virtualOutbound-catchall-tcp → cluster BlackHoleCluster',
  ]);
  expect(results.map(isBlocked)).toEqual([false, true]);
});

test('ALLOW_ANY lets the undeclared address through: "blocked" comes from the mesh config, not from the simulator', async () => {
  const { results } = await simulate(
    input([{ from: 'sidecar', address: '10.9.9.9', port: 6379 }], {
      meshConfig: 'outboundTrafficPolicy:\n  mode: ALLOW_ANY\n',
    }),
  );
  expect(results[0]?.cluster).toBe('PassthroughCluster');
});

test('the gateway listens on the targetPort of the Service port its server names, and routes it to the host', async () => {
  const { results } = await simulate(
    input([
      { from: 'egress-gateway', address: '10.1.0.9', port: 26000 },
      { from: 'egress-gateway', address: '10.1.0.9', port: 16000 },
    ]),
  );
  expect(results.map(describeResult)).toEqual([
    'egress-gateway → 10.1.0.9:26000 ⇒ listener 0.0.0.0_26000 → cluster outbound|6379||redis.example.internal',
    'egress-gateway → 10.1.0.9:16000 ⇒ no listener matched',
  ]);
});

test('input Istio cannot read fails loudly instead of simulating nothing', async () => {
  await expect(
    simulate({
      ...input([]),
      istio: [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'ServiceEntry',
          metadata: { name: 'x' },
          spec: { hosts: 'not-a-list' },
        },
      ],
    }),
  ).rejects.toThrow(/istio-sim failed[^]*failed to read config/);
});

test('a cluster says where it sends a connection: STATIC resolution to the listed endpoints, NONE on to the address dialled', async () => {
  const passthrough = {
    ...entry,
    metadata: { name: 'nodes', namespace: ns },
    spec: {
      hosts: ['nodes.example.internal'],
      addresses: ['10.0.0.6/32', '10.0.0.7/32'],
      ports: [{ number: 11000, name: 'tcp-redis-11000', protocol: 'TCP' }],
      location: 'MESH_EXTERNAL',
      resolution: 'NONE',
    },
  };
  const { results } = await simulate({
    ...input([
      { from: 'sidecar', address: '10.0.0.5', port: 6379 },
      { from: 'sidecar', address: '10.0.0.7', port: 11000 },
    ]),
    istio: [entry, passthrough],
  });
  expect(results.map((r) => [r.listener, r.cluster, r.clusterType])).toEqual([
    ['10.0.0.5_6379', 'outbound|6379||redis.example.internal', 'EDS'],
    ['10.0.0.7_11000', 'outbound|11000||nodes.example.internal', 'ORIGINAL_DST'],
  ]);
});

test("the cost of a proxy's configuration counts what it was given: one listener per declared address and port", async () => {
  const one = await simulate({ ...input([]), istio: [entry] });
  const ports = Array.from({ length: 10 }, (_, i) => ({
    number: 11000 + i,
    name: `tcp-${11000 + i}`,
    protocol: 'TCP',
  }));
  const more = await simulate({
    ...input([]),
    istio: [
      entry,
      {
        ...entry,
        metadata: { name: 'more', namespace: ns },
        spec: {
          ...entry.spec,
          hosts: ['more.example.internal'],
          addresses: ['10.0.0.8/32', '10.0.0.9/32'],
          ports,
          endpoints: undefined,
          resolution: 'NONE',
        },
      },
    ],
  });
  for (const answer of [one, more]) {
    expect(answer.cost['sidecar']?.listeners).toBe(answer.listeners['sidecar']?.length);
    expect(answer.cost['sidecar']?.clusters).toBe(answer.clusters['sidecar']?.length);
  }
  expect((more.cost['sidecar']?.listeners ?? 0) - (one.cost['sidecar']?.listeners ?? 0)).toBe(20);
  expect((more.cost['sidecar']?.clusters ?? 0) - (one.cost['sidecar']?.clusters ?? 0)).toBe(10);
  expect(more.cost['sidecar']!.listenerBytes).toBeGreaterThan(one.cost['sidecar']!.listenerBytes);
});
