import { renderDirect, renderEgress } from '../../../shared/render/render-instance.js';
import { endpointHost, instanceKey, objectName, subsetName } from '../../../shared/render/names.js';
import { nameOf } from '../../fixtures/instances.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';

const cache = nameOf('cache-1');
const settings = testPlanSettings();
const primary = { role: 'primary' as const, address: '10.0.0.3', port: 6379, gatewayPort: 16000 };
const read = { role: 'read' as const, address: '10.0.0.4', port: 6379, gatewayPort: 16001 };

describe('renderEgress', () => {
  const [serviceEntry, gateway, destinationRule, virtualService] = renderEgress(cache, [primary], settings);
  const host = 'cache-1.us-central1.test-project.memorystore.internal';
  const name = objectName(cache);

  test('ServiceEntry: stable host, the instance address, STATIC, MESH_EXTERNAL', () => {
    expect(serviceEntry).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: {
        name,
        namespace: 'istio-system',
        labels: {
          'app.kubernetes.io/managed-by': 'memorystore-egress-sync',
          'memorystore-egress-sync/owner': 'default',
          'memorystore-egress-sync/instance': instanceKey(cache),
        },
        annotations: { 'memorystore-egress-sync/instance-name': cache.full },
      },
      spec: {
        hosts: [host],
        addresses: ['10.0.0.3/32'],
        ports: [{ number: 6379, name: 'tcp-redis', protocol: 'TCP' }],
        location: 'MESH_EXTERNAL',
        resolution: 'STATIC',
        endpoints: [{ address: '10.0.0.3' }],
        exportTo: ['*'],
      },
    });
  });

  test('Gateway: the egress gateway selector and one TCP server on the gateway port', () => {
    expect(gateway?.spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 16000, name: 'tcp-redis-primary', protocol: 'TCP' }, hosts: [host] }],
    });
  });

  test('DestinationRule: the egress gateway host with one subset for the instance', () => {
    expect(destinationRule?.spec).toEqual({
      host: 'istio-egressgateway.istio-system.svc.cluster.local',
      subsets: [{ name: subsetName(cache, 'primary') }],
    });
  });

  test('VirtualService: mesh to gateway on the gateway port, gateway to the instance on its port', () => {
    expect(virtualService?.spec).toEqual({
      hosts: [host],
      gateways: ['mesh', name],
      tcp: [
        {
          match: [{ gateways: ['mesh'], destinationSubnets: ['10.0.0.3/32'], port: 6379 }],
          route: [
            {
              destination: {
                host: 'istio-egressgateway.istio-system.svc.cluster.local',
                subset: subsetName(cache, 'primary'),
                port: { number: 16000 },
              },
            },
          ],
        },
        { match: [{ gateways: [name], port: 16000 }], route: [{ destination: { host, port: { number: 6379 } } }] },
      ],
    });
  });

  test('read replicas: a second ServiceEntry, server, subset and pair of legs', () => {
    const objects = renderEgress(cache, [primary, read], settings);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      `ServiceEntry/${name}`,
      `ServiceEntry/${name}-read`,
      `Gateway/${name}`,
      `DestinationRule/${name}`,
      `VirtualService/${name}`,
    ]);
    expect(objects[1]?.spec['hosts']).toEqual([`read.${host}`]);
    expect((objects[2]?.spec['servers'] as unknown[]).length).toBe(2);
    expect((objects[4]?.spec['tcp'] as unknown[]).length).toBe(4);
  });

  test('a TLS instance is declared on its own port (6378)', () => {
    const [tlsEntry, , , tlsRoute] = renderEgress(cache, [{ ...primary, port: 6378 }], settings);
    expect(tlsEntry?.spec['ports']).toEqual([{ number: 6378, name: 'tcp-redis', protocol: 'TCP' }]);
    expect(JSON.stringify(tlsRoute?.spec)).toContain('"port":6378');
  });
});

describe('renderDirect', () => {
  test('ServiceEntries only', () => {
    expect(renderDirect(cache, [primary, read], testPlanSettings({ SYNC_MODE: 'direct' })).map((o) => o.kind)).toEqual([
      'ServiceEntry',
      'ServiceEntry',
    ]);
  });
});

describe('names', () => {
  const longest = nameOf('a'.repeat(40), 'northamerica-northeast2', 'a-very-long-project-id-abcdefghij');
  test.each([
    ['label value', instanceKey(longest), 63],
    ['object name', objectName(longest), 63],
    ['read ServiceEntry name', `${objectName(longest)}-read`, 63],
    ['subset name', subsetName(longest, 'read'), 63],
  ])('%s stays within Kubernetes limits', (_what, value, limit) => {
    expect(value.length).toBeLessThanOrEqual(limit);
    expect(value).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  test('the same id in two regions gets different names', () => {
    expect(objectName(nameOf('cache', 'us-east1'))).not.toBe(objectName(nameOf('cache', 'us-west1')));
  });

  test('hosts are DNS names', () => {
    expect(endpointHost(longest, 'read', 'memorystore.internal')).toMatch(/^([a-z0-9-]{1,63}\.)+[a-z]+$/);
  });
});
