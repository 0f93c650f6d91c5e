import { fullNetworkName } from '../../../shared/model/network.js';
import { toMemcachedInstance } from '../../../shared/products/memcached/mapper.js';
import { toRedisClusterInstance } from '../../../shared/products/redis-cluster/mapper.js';
import { toRedisInstance } from '../../../shared/products/redis/mapper.js';
import { toValkeyInstance } from '../../../shared/products/valkey/mapper.js';

// Each product's network field, as its proto documents it, in one form: projects/P/global/networks/N.
const P = 'projects/svc-project/locations/us-central1';
const net = (n: string, project = 'svc-project') => `projects/${project}/global/networks/${n}`;

describe('the VPC networks of an instance', () => {
  test('Redis: `authorizedNetwork`, full or bare (a bare name is the instance project’s network)', () => {
    const redis = (authorizedNetwork: string | null) =>
      toRedisInstance({ name: `${P}/instances/r`, state: 'READY', host: '10.0.0.3', port: 6379, authorizedNetwork });
    expect(redis(net('shared', 'host-project')).networks).toEqual([net('shared', 'host-project')]);
    expect(redis('default').networks).toEqual([net('default')]);
    expect(redis(`https://www.googleapis.com/compute/v1/${net('vpc')}`).networks).toEqual([net('vpc')]);
    expect(redis(null).networks).toBeUndefined();
  });

  test('Memcached: `authorizedNetwork` likewise', () => {
    const instance = toMemcachedInstance({
      name: `${P}/instances/m`,
      state: 'READY',
      discoveryEndpoint: '10.30.0.2:11211',
      authorizedNetwork: 'mesh',
    });
    expect(instance.networks).toEqual([net('mesh')]);
  });

  test('Valkey: the `network` of its PSC connections, one network: no per-network views', () => {
    const instance = toValkeyInstance({
      name: `${P}/instances/v`,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [
        {
          connections: [
            {
              pscAutoConnection: {
                connectionType: 'CONNECTION_TYPE_PRIMARY',
                ipAddress: '10.0.0.4',
                network: net('a'),
              },
            },
          ],
        },
      ],
    });
    expect(instance).toMatchObject({ networks: [net('a')], endpoints: [{ role: 'primary', address: '10.0.0.4' }] });
    expect(instance.byNetwork).toBeUndefined();
  });

  test('Redis Cluster: with a listed discovery endpoint, that network is preferred and the others listed', () => {
    const cluster = toRedisClusterInstance({
      name: `${P}/clusters/c`,
      state: 'ACTIVE',
      discoveryEndpoints: [{ address: '10.40.0.9', port: 6379, pscConfig: { network: net('a') } }],
      pscConnections: [
        { address: '10.40.0.9', network: net('a') },
        { address: '10.77.0.1', network: net('b') },
        { address: '10.77.0.2', network: net('b') },
      ],
    });
    expect(cluster.endpoints).toEqual([{ role: 'discovery', address: '10.40.0.9', port: 6379 }]);
    expect(cluster.nodePorts?.addresses).toEqual(['10.40.0.9']);
    expect(cluster.networks).toEqual([net('a'), net('b')]);
    expect(cluster.byNetwork?.find((v) => v.network === net('b'))?.nodePorts?.addresses).toEqual([
      '10.77.0.1',
      '10.77.0.2',
    ]);
  });

  test.each([
    ['projects/p-1/global/networks/n', 'projects/p-1/global/networks/n'],
    ['https://www.googleapis.com/compute/v1/projects/p-1/global/networks/n', 'projects/p-1/global/networks/n'],
    ['//compute.googleapis.com/projects/p-1/global/networks/n', 'projects/p-1/global/networks/n'],
    ['n', undefined],
    ['projects/p-1/regions/r/subnetworks/n', undefined],
  ])('a network named %s is %s (no project to read a bare name in)', (value, full) => {
    expect(fullNetworkName(value)).toBe(full);
  });
});
