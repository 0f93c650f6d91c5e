import { desiredState } from '../../../shared/plan/desired-state.js';
import { parseInstanceName } from '../../../shared/products/instance-name.js';
import { serviceEntryName } from '../../../shared/render/names.js';
import { toRedisClusterInstance } from '../../../shared/products/redis-cluster/mapper.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';

type Api = Parameters<typeof toRedisClusterInstance>[0];
const RELATIVE = 'projects/test-project/locations/us-central1/clusters/rc-1';
const active: Api = {
  name: RELATIVE,
  state: 'ACTIVE',
  discoveryEndpoints: [{ address: '10.40.0.2', port: 6379 }],
  pscConnections: [{ address: '10.40.0.2' }, { address: '10.40.0.3' }],
};

describe('a Memorystore for Redis Cluster as the reconciler sees it', () => {
  test('a sharded target named by its full resource name, with its discovery endpoint', () => {
    expect(toRedisClusterInstance(active)).toEqual({
      name: `//redis.googleapis.com/${RELATIVE}`,
      state: 'ACTIVE',
      phase: 'ready',
      endpoints: [{ role: 'discovery', address: '10.40.0.2', port: 6379 }],
      sharded: true,
      // SHARDED_NODE_PORTS: the node ports Google documents, on every PSC address of the cluster.
      nodePorts: { addresses: ['10.40.0.2', '10.40.0.3'], range: { from: 11000, to: 13047 } },
    });
  });

  test("node addresses: sorted and distinct, only those in the discovery endpoint's network, else the first clusterEndpoints group", () => {
    const net = (n: string) => `projects/test-project/global/networks/${n}`;
    const twoNetworks: Api = {
      ...active,
      discoveryEndpoints: [{ address: '10.40.0.9', port: 6379, pscConfig: { network: net('default') } }],
      pscConnections: [
        { address: '10.40.0.9', network: net('default') },
        { address: '10.77.0.1', network: net('other') },
        { address: '10.40.0.10', network: net('default') },
      ],
    };
    expect(toRedisClusterInstance(twoNetworks).nodePorts?.addresses).toEqual(['10.40.0.10', '10.40.0.9']);
    const grouped: Api = {
      name: RELATIVE,
      state: 'ACTIVE',
      discoveryEndpoints: [{ address: '10.40.1.2', port: 6379 }],
      clusterEndpoints: [
        { connections: [{ pscConnection: { address: '10.40.1.3' } }, { pscAutoConnection: { address: '10.40.1.2' } }] },
        { connections: [{ pscConnection: { address: '10.88.0.1' } }] },
      ],
    };
    expect(toRedisClusterInstance(grouped).nodePorts?.addresses).toEqual(['10.40.1.2', '10.40.1.3']);
  });

  test('no node ports before the API reports an address', () => {
    expect(toRedisClusterInstance({ name: RELATIVE, state: 'CREATING' }).nodePorts).toBeUndefined();
  });

  test('CREATING with no discovery endpoint yet has no endpoint; DELETING is deleting', () => {
    expect(toRedisClusterInstance({ name: RELATIVE, state: 'CREATING' })).toMatchObject({ phase: 'changing' });
    expect(toRedisClusterInstance({ name: RELATIVE, state: 'CREATING' }).endpoints).toBeUndefined();
    expect(toRedisClusterInstance({ name: RELATIVE, state: 'DELETING' }).phase).toBe('deleting');
  });

  test('direct mode renders the discovery ServiceEntry; egress-gateway mode renders nothing and says why', () => {
    const name = parseInstanceName(`//redis.googleapis.com/${RELATIVE}`)!;
    const scope = [{ name, instance: toRedisClusterInstance(active) }];
    const direct = desiredState({ scope, owned: [], settings: testPlanSettings({ SYNC_MODE: 'direct' }) });
    expect(direct.desired.map((o) => o.metadata.name)).toEqual([serviceEntryName(name, 'discovery')]);
    const gateway = desiredState({ scope, owned: [], settings: testPlanSettings() });
    expect(gateway.desired).toEqual([]);
    expect(gateway.unsupported.get(name.full)).toMatch(/sharded target/);
  });
});
