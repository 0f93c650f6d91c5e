import { nodeRole } from '../../../shared/render/names.js';
import { toMemcachedInstance } from '../../../shared/products/memcached/mapper.js';

type Api = Parameters<typeof toMemcachedInstance>[0];
const NAME = 'projects/p/locations/us-central1/instances/mc-1';
const node = (nodeId: string, host: string, port = 11211) => ({
  nodeId,
  zone: 'us-central1-a',
  state: 'READY',
  host,
  port,
});

describe('a Memorystore for Memcached instance as the reconciler sees it', () => {
  test('the discovery endpoint, then each node by node id, each its own endpoint', () => {
    const api = {
      name: NAME,
      state: 'READY',
      discoveryEndpoint: '10.0.0.2:11211',
      memcacheNodes: [node('node-b', '10.0.0.4'), node('node-a', '10.0.0.3')],
    } as Api;
    expect(toMemcachedInstance(api)).toEqual({
      name: `//memcache.googleapis.com/${NAME}`,
      state: 'READY',
      phase: 'ready',
      endpoints: [
        { role: 'discovery', address: '10.0.0.2', port: 11211 },
        { role: nodeRole('node-a'), address: '10.0.0.3', port: 11211 },
        { role: nodeRole('node-b'), address: '10.0.0.4', port: 11211 },
      ],
    });
  });

  test("a node's role stays its own when other nodes come and go (its gateway port stays with it)", () => {
    const before = toMemcachedInstance({
      name: NAME,
      state: 'READY',
      memcacheNodes: [node('node-a', '10.0.0.3'), node('node-b', '10.0.0.4')],
    } as Api);
    const after = toMemcachedInstance({
      name: NAME,
      state: 'READY',
      memcacheNodes: [node('node-b', '10.0.0.4'), node('node-c', '10.0.0.5')],
    } as Api);
    const roleOf = (instance: typeof before, address: string) =>
      instance.endpoints?.find((e) => e.address === address)?.role;
    expect(roleOf(after, '10.0.0.4')).toBe(roleOf(before, '10.0.0.4'));
    expect(new Set(after.endpoints?.map((e) => e.role)).size).toBe(2);
  });

  test('node roles are short DNS labels (they go into subset and host names)', () => {
    expect(nodeRole('node-c-1')).toMatch(/^node-[0-9a-f]{6}$/);
  });

  test('a discovery endpoint without a port means 11211; nodes without an address yet are left out', () => {
    const api = {
      name: NAME,
      state: 'UPDATING',
      discoveryEndpoint: '10.0.0.2',
      memcacheNodes: [node('node-a', '', 0), node('node-b', '10.0.0.4')],
    } as Api;
    expect(toMemcachedInstance(api)).toMatchObject({
      phase: 'changing',
      endpoints: [{ role: 'discovery', port: 11211 }, { address: '10.0.0.4' }],
    });
    expect(toMemcachedInstance(api).endpoints).toHaveLength(2);
  });

  test('no endpoint while it is being created', () => {
    expect(toMemcachedInstance({ name: NAME, state: 'CREATING', discoveryEndpoint: '' }).endpoints).toBeUndefined();
  });

  test('a discovery endpoint that is not host:port is not an endpoint; one with a port out of range refuses it', () => {
    expect(
      toMemcachedInstance({ name: NAME, state: 'READY', discoveryEndpoint: '10.0.0.2:11211:1' }).endpoints,
    ).toBeUndefined();
    expect(toMemcachedInstance({ name: NAME, state: 'READY', discoveryEndpoint: '10.0.0.2:99999' }).invalid).toBe(
      'discovery endpoint 10.0.0.2:99999: port 99999 is not in 1-65535',
    );
  });
});
