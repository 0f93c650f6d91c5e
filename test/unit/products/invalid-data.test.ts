import { nodeRole } from '../../../shared/render/names.js';
import { toMemcachedInstance } from '../../../shared/products/memcached/mapper.js';
import { toRedisClusterInstance } from '../../../shared/products/redis-cluster/mapper.js';
import { toRedisInstance } from '../../../shared/products/redis/mapper.js';
import { toValkeyInstance } from '../../../shared/products/valkey/mapper.js';

/**
 * What the APIs may report that cannot be declared to Istio as it stands. The protos type ports as int32 and
 * addresses as strings (a hostname is legal in memcache's `host` and redis' `host`), so nothing on the wire stops a
 * port of 70000 or a name where an IPv4 address is written as `addr/32`.
 */
const REDIS = 'projects/p/locations/us-central1/instances/cache-1';
const MEMCACHED = 'projects/p/locations/us-central1/instances/mc-1';
const VALKEY = 'projects/p/locations/us-central1/instances/vk-1';
const CLUSTER = 'projects/p/locations/us-central1/clusters/rc-1';

describe('Memorystore data that cannot be declared is refused for that instance, with the reason', () => {
  test('a port outside 1-65535', () => {
    const redis = toRedisInstance({ name: REDIS, state: 'READY', host: '10.0.0.3', port: 70000 });
    expect(redis.invalid).toBe('primary endpoint 10.0.0.3:70000: port 70000 is not in 1-65535');
    const read = toRedisInstance({
      name: REDIS,
      state: 'READY',
      host: '10.0.0.3',
      port: 6379,
      readEndpoint: '10.0.0.4',
      readEndpointPort: 65536,
    });
    expect(read.invalid).toMatch(/^read endpoint 10\.0\.0\.4:65536: port 65536 is not in 1-65535/);
  });

  test('an address that is not an IPv4 address: a host name says so, anything else is malformed', () => {
    const hostname = toRedisInstance({ name: REDIS, state: 'READY', host: 'redis.internal.example', port: 6379 });
    expect(hostname.invalid).toMatch(/^primary endpoint redis\.internal\.example:6379: a host name, not an IPv4/);
    expect(toRedisInstance({ name: REDIS, state: 'READY', host: '10.0.0', port: 6379 }).invalid).toBe(
      'primary endpoint 10.0.0:6379: "10.0.0" is not an IPv4 address',
    );
    expect(toRedisInstance({ name: REDIS, state: 'READY', host: 'fd00::3', port: 6379 }).invalid).toMatch(
      /"fd00::3" is not an IPv4 address/,
    );
    expect(toRedisInstance({ name: REDIS, state: 'READY', host: '10.0.0.3', port: 6379 }).invalid).toBeUndefined();
  });

  test('Memcached: two nodes with one id, and a discovery port out of range, are refused, not dropped', () => {
    const node = (nodeId: string, host: string) => ({ nodeId, host, port: 11211, state: 'READY' as const });
    const twice = toMemcachedInstance({
      name: MEMCACHED,
      state: 'READY',
      discoveryEndpoint: '10.0.0.2:11211',
      memcacheNodes: [node('node-a', '10.0.0.3'), node('node-a', '10.0.0.4')],
    });
    expect(twice.invalid).toBe('node id "node-a" is reported twice');
    const discovery = toMemcachedInstance({ name: MEMCACHED, state: 'READY', discoveryEndpoint: '10.0.0.2:99999' });
    expect(discovery.invalid).toBe('discovery endpoint 10.0.0.2:99999: port 99999 is not in 1-65535');
  });

  test('Memcached: a node being deleted is not declared', () => {
    const instance = toMemcachedInstance({
      name: MEMCACHED,
      state: 'UPDATING',
      memcacheNodes: [
        { nodeId: 'node-a', host: '10.0.0.3', port: 11211, state: 'READY' },
        { nodeId: 'node-b', host: '10.0.0.4', port: 11211, state: 'DELETING' },
      ],
    });
    expect(instance.endpoints).toEqual([{ role: nodeRole('node-a'), address: '10.0.0.3', port: 11211 }]);
  });

  test('Valkey: a connection whose forwarding rule is gone (NOT_FOUND) is not declared', () => {
    const connection = (
      connectionType: 'CONNECTION_TYPE_PRIMARY',
      ipAddress: string,
      pscConnectionStatus: 'ACTIVE' | 'NOT_FOUND',
    ) => ({
      pscConnection: { connectionType, ipAddress, port: 6379, pscConnectionStatus },
    });
    const instance = toValkeyInstance({
      name: VALKEY,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [
        {
          connections: [
            connection('CONNECTION_TYPE_PRIMARY', '10.0.0.9', 'NOT_FOUND'),
            connection('CONNECTION_TYPE_PRIMARY', '10.0.0.4', 'ACTIVE'),
          ],
        },
      ],
    });
    expect(instance.endpoints).toEqual([{ role: 'primary', address: '10.0.0.4', port: 6379 }]);
  });

  test('Redis Cluster: a NOT_FOUND connection adds no node address; a node address out of IPv4 is refused', () => {
    const cluster = toRedisClusterInstance({
      name: CLUSTER,
      state: 'ACTIVE',
      discoveryEndpoints: [{ address: '10.40.0.2', port: 6379 }],
      pscConnections: [
        { address: '10.40.0.2', pscConnectionStatus: 'PSC_CONNECTION_STATUS_ACTIVE' as const },
        { address: '10.40.0.7', pscConnectionStatus: 'PSC_CONNECTION_STATUS_NOT_FOUND' as const },
      ],
    });
    expect(cluster.nodePorts?.addresses).toEqual(['10.40.0.2']);
    const odd = toRedisClusterInstance({
      name: CLUSTER,
      state: 'ACTIVE',
      discoveryEndpoints: [{ address: '10.40.0.2', port: 6379 }],
      pscConnections: [{ address: '10.40.0.2' }, { address: '10.40.0.300' }],
    });
    expect(odd.invalid).toBe('node address "10.40.0.300" is not an IPv4 address');
  });
});

describe('several VPC networks, and connections registered by the user', () => {
  const net = (n: string) => `projects/p/global/networks/${n}`;

  test('Valkey with endpoint groups in two networks: each network’s endpoints, none preferred', () => {
    // Which one a cluster gets is the plan's choice (test/unit/plan/network-scope.test.ts).
    const group = (ipAddress: string, network: string) => ({
      connections: [{ pscAutoConnection: { connectionType: 'CONNECTION_TYPE_PRIMARY' as const, ipAddress, network } }],
    });
    const instance = toValkeyInstance({
      name: VALKEY,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [group('10.9.0.4', net('other')), group('10.0.0.4', net('mesh'))],
    });
    expect(instance.invalid).toBeUndefined();
    expect(instance.endpoints).toBeUndefined();
    expect(instance.networks).toEqual([net('mesh'), net('other')]);
    expect(instance.byNetwork).toEqual([
      { network: net('mesh'), endpoints: [{ role: 'primary', address: '10.0.0.4', port: 6379 }] },
      { network: net('other'), endpoints: [{ role: 'primary', address: '10.9.0.4', port: 6379 }] },
    ]);
    const oneNetwork = toValkeyInstance({
      name: VALKEY,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [group('10.0.0.4', net('mesh')), group('10.0.0.9', net('mesh'))],
    });
    expect(oneNetwork.invalid).toBeUndefined();
  });

  test('Redis Cluster with only user-registered connections: the DISCOVERY connection of clusterEndpoints', () => {
    const cluster = toRedisClusterInstance({
      name: CLUSTER,
      state: 'ACTIVE',
      clusterEndpoints: [
        {
          connections: [
            {
              pscConnection: { address: '10.40.2.3', network: net('mesh'), connectionType: 'CONNECTION_TYPE_PRIMARY' },
            },
            {
              pscConnection: {
                address: '10.40.2.2',
                network: net('mesh'),
                connectionType: 'CONNECTION_TYPE_DISCOVERY',
              },
            },
          ],
        },
      ],
    });
    expect(cluster.endpoints).toEqual([{ role: 'discovery', address: '10.40.2.2', port: 6379 }]);
    expect(cluster.nodePorts?.addresses).toEqual(['10.40.2.2', '10.40.2.3']);
  });

  test('Redis Cluster with clusterEndpoints in two networks and no discovery endpoint to say which: none preferred', () => {
    const group = (address: string, network: string) => ({
      connections: [{ pscConnection: { address, network, connectionType: 'CONNECTION_TYPE_DISCOVERY' as const } }],
    });
    const cluster = toRedisClusterInstance({
      name: CLUSTER,
      state: 'ACTIVE',
      clusterEndpoints: [group('10.40.2.2', net('mesh')), group('10.77.0.2', net('other'))],
    });
    expect(cluster.endpoints).toBeUndefined();
    expect(cluster.byNetwork?.map((v) => [v.network, v.endpoints?.[0]?.address])).toEqual([
      [net('mesh'), '10.40.2.2'],
      [net('other'), '10.77.0.2'],
    ]);
  });

  test('an address of one network that is not IPv4 refuses the instance, whichever network a cluster would take', () => {
    const group = (ipAddress: string, network: string) => ({
      connections: [{ pscAutoConnection: { connectionType: 'CONNECTION_TYPE_PRIMARY' as const, ipAddress, network } }],
    });
    const instance = toValkeyInstance({
      name: VALKEY,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [group('10.0.0.4', net('mesh')), group('10.9.0.300', net('other'))],
    });
    expect(instance.invalid).toMatch(/^primary endpoint 10\.9\.0\.300:6379: /);
  });
});
