import { waypointEndpointSlice, waypointObjects } from '../../dev/harness/istio-sim/ambient.js';
import { gatewayPod, simulate, type SimInput } from '../../dev/harness/istio-sim/index.js';

/**
 * What a sidecar and the egress gateway do with a ServiceEntry served by a waypoint (as `SYNC_MODE=ambient` writes
 * it: resolution NONE, no endpoints, `istio.io/use-waypoint`), with istiod's ambient mode on, by Istio's own config
 * generation. In the pinned Istio only gateways send to a service's waypoint, and only when the service opts in with
 * `istio.io/ingress-use-waypoint` (pilot/pkg/xds/endpoints/endpoint_builder.go, findServiceWaypoint: "Currently only
 * ingress and e/w gateway will call waypoints"); a sidecar treats the address as a workload of its own
 * (EndpointBuilder.generate: "We intentionally do not take into account waypoints here").
 */
const egress = 'egress';
const host = 'redis-a.memorystore.internal';
const labels = { istio: 'egressgateway' };
const waypointIp = '10.1.0.30';

const entry = (extraLabels: Record<string, string> = {}) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'redis-a', namespace: egress, labels: { 'istio.io/use-waypoint': 'waypoint', ...extraLabels } },
  spec: {
    hosts: [host],
    addresses: ['10.0.0.5/32'],
    ports: [{ number: 6379, name: 'tcp-redis', protocol: 'TCP' }],
    location: 'MESH_EXTERNAL',
    resolution: 'NONE',
  },
});
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'istio-egressgateway', namespace: egress },
  spec: {
    clusterIP: '10.96.0.20',
    selector: labels,
    ports: [{ name: 'tcp-redis', port: 16000, targetPort: 16000, protocol: 'TCP' }],
  },
};
// The gateway half of egress-gateway mode's route: the gateway's port 16000 to the instance's host.
const gatewayRoute = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'redis-a', namespace: egress },
    spec: {
      selector: labels,
      servers: [{ port: { number: 16000, name: 'tcp-redis', protocol: 'TCP' }, hosts: [host] }],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'redis-a', namespace: egress },
    spec: {
      hosts: [host],
      gateways: ['redis-a'],
      tcp: [{ match: [{ port: 16000 }], route: [{ destination: { host, port: { number: 6379 } } }] }],
    },
  },
];

const input = (istio: object[]): SimInput => ({
  istio,
  kube: [
    service,
    gatewayPod(service, '10.1.0.9'),
    ...[egress, 'team-a'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    ...waypointObjects(egress, waypointIp, '10.96.0.30'),
    waypointEndpointSlice(egress, waypointIp),
  ],
  sidecar: { namespace: 'team-a' },
  gateway: { namespace: egress, labels, ip: '10.1.0.9' },
  calls: [
    { from: 'sidecar', address: '10.0.0.5', port: 6379 },
    { from: 'egress-gateway', address: '10.1.0.9', port: 16000 },
  ],
  ambient: true,
});

test('a sidecar goes straight to the address of a ServiceEntry a waypoint serves, not to the waypoint', async () => {
  const [sidecar] = (await simulate(input([entry(), ...gatewayRoute]))).results;
  expect([sidecar?.cluster, sidecar?.clusterType, sidecar?.endpoints]).toEqual([
    `outbound|6379||${host}`,
    'ORIGINAL_DST',
    undefined,
  ]);
});

test('the egress gateway has no endpoint for it, unless it opts in to gateways using its waypoint', async () => {
  const plain = (await simulate(input([entry(), ...gatewayRoute]))).results[1];
  // A gateway cannot pass a connection through: Istio gives it an EDS cluster, here with nothing in it.
  expect([plain?.cluster, plain?.clusterType, plain?.endpoints]).toEqual([`outbound|6379||${host}`, 'EDS', undefined]);
  const optedIn = entry({ 'istio.io/ingress-use-waypoint': 'true' });
  const viaWaypoint = (await simulate(input([optedIn, ...gatewayRoute]))).results[1];
  // HBONE to the waypoint's Pod, with the instance's address:port as the tunnel's destination.
  expect(viaWaypoint?.endpoints).toEqual([`connect_originate;10.0.0.5:6379;${waypointIp}:15008`]);
});
