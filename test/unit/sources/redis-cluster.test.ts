import { desiredState } from '../../../shared/plan/desired-state.js';
import { parseInstanceName } from '../../../shared/model/instance.js';
import { serviceEntryName } from '../../../shared/render/names.js';
import { toRedisClusterInstance } from '../../../shared/sources/redis-cluster.js';
import { testConfig } from '../../fixtures/settings.js';

type Api = Parameters<typeof toRedisClusterInstance>[0];
const RELATIVE = 'projects/test-project/locations/us-central1/clusters/rc-1';
const active: Api = { name: RELATIVE, state: 'ACTIVE', discoveryEndpoints: [{ address: '10.40.0.2', port: 6379 }], pscConnections: [{ address: '10.40.0.2' }, { address: '10.40.0.3' }] };

describe('a Memorystore for Redis Cluster as the reconciler sees it', () => {
  test('a sharded target named by its full resource name, with its discovery endpoint', () => {
    expect(toRedisClusterInstance(active)).toEqual({
      name: `//redis.googleapis.com/${RELATIVE}`,
      state: 'ACTIVE',
      phase: 'ready',
      endpoints: [{ role: 'discovery', address: '10.40.0.2', port: 6379 }],
      sharded: true,
    });
  });

  test('CREATING with no discovery endpoint yet has no endpoint; DELETING is deleting', () => {
    expect(toRedisClusterInstance({ name: RELATIVE, state: 'CREATING' })).toMatchObject({ phase: 'changing' });
    expect(toRedisClusterInstance({ name: RELATIVE, state: 'CREATING' }).endpoints).toBeUndefined();
    expect(toRedisClusterInstance({ name: RELATIVE, state: 'DELETING' }).phase).toBe('deleting');
  });

  test('direct mode renders the discovery ServiceEntry; egress-gateway mode renders nothing and says why', () => {
    const name = parseInstanceName(`//redis.googleapis.com/${RELATIVE}`)!;
    const scope = [{ name, instance: toRedisClusterInstance(active) }];
    const direct = desiredState({ scope, owned: [], settings: testConfig({ SYNC_MODE: 'direct' }) });
    expect(direct.desired.map((o) => o.metadata.name)).toEqual([serviceEntryName(name, 'discovery')]);
    const gateway = desiredState({ scope, owned: [], settings: testConfig() });
    expect(gateway.desired).toEqual([]);
    expect(gateway.unsupported.get(name.full)).toMatch(/sharded target/);
  });
});
