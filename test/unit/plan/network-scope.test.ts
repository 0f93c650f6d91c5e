import { parseInstanceName } from '../../../shared/products/instance-name.js';
import { toRedisClusterInstance } from '../../../shared/products/redis-cluster/mapper.js';
import { toValkeyInstance } from '../../../shared/products/valkey/mapper.js';
import { serviceEntryName } from '../../../shared/render/names.js';
import { nameOf, PROJECT, readyInstance } from '../../fixtures/instances.js';
import { apply, emptyWorld, objectsOf, plan, writes } from '../../fixtures/plan-harness.js';

// Issue 24 item 3: an instance is written into a cluster only when its network is one the cluster's pods reach.
const net = (n: string, project = PROJECT) => `projects/${project}/global/networks/${n}`;
const MESH = { CLUSTER_NETWORKS: net('mesh') };

const redisOn = (id: string, authorizedNetwork: string) => ({
  name: nameOf(id),
  instance: readyInstance(id, { authorizedNetwork } as Parameters<typeof readyInstance>[1]),
});

const skippedOf = (result: ReturnType<typeof plan>) => result.changes.filter((c) => c.action === 'skipped');

describe('an instance on a network the cluster does not reach', () => {
  test('is not written there: one skipped record says which networks, and nothing else is planned', () => {
    const other = redisOn('other', net('other'));
    const result = plan(emptyWorld(), [other], MESH);
    expect(writes(result).filter((w) => !w.startsWith('skipped'))).toEqual([]);
    expect(skippedOf(result)).toEqual([
      expect.objectContaining({
        instance: other.name.full,
        reason: expect.stringContaining(
          `instance is on VPC network ${net('other')}, which this cluster's pods do not reach`,
        ),
      }),
    ]);
  });

  test('its objects written before the cluster named its networks go, as an unselected instance’s do', () => {
    const other = redisOn('other', net('other'));
    const world = apply(emptyWorld(), plan(emptyWorld(), [other]));
    expect(objectsOf(world, 'ServiceEntry').map((o) => o.metadata.name)).toEqual([
      serviceEntryName(other.name, 'primary'),
    ]);
    const after = apply(world, plan(world, [other], MESH));
    expect([...after.owned, ...after.ourPorts]).toEqual([]);
  });

  test('one on the cluster’s network is written; a bare `default` is the instance project’s network', () => {
    const mesh = redisOn('meshed', net('mesh'));
    const bare = redisOn('bare', 'default');
    const result = plan(emptyWorld(), [mesh, bare], { CLUSTER_NETWORKS: `${net('mesh')},${net('default')}` });
    expect(skippedOf(result)).toEqual([]);
    expect(writes(result)).toEqual(
      expect.arrayContaining([
        `create ServiceEntry/${serviceEntryName(mesh.name, 'primary')}`,
        `create ServiceEntry/${serviceEntryName(bare.name, 'primary')}`,
      ]),
    );
  });

  test('a Shared VPC network is matched by its host project, not the instance’s project', () => {
    const shared = redisOn('shared', net('shared', 'host-project'));
    expect(skippedOf(plan(emptyWorld(), [shared], { CLUSTER_NETWORKS: net('shared') }))).toHaveLength(1);
    expect(skippedOf(plan(emptyWorld(), [shared], { CLUSTER_NETWORKS: net('shared', 'host-project') }))).toEqual([]);
  });

  test('without CLUSTER_NETWORKS nothing is checked (as before)', () => {
    const result = plan(emptyWorld(), [redisOn('other', net('other'))]);
    expect(skippedOf(result)).toEqual([]);
    expect(writes(result)).toContain(`create ServiceEntry/${serviceEntryName(nameOf('other'), 'primary')}`);
  });
});

describe('endpoint groups in several networks', () => {
  const RELATIVE = `projects/${PROJECT}/locations/us-central1/instances/twonets`;
  const valkey = {
    name: parseInstanceName(`//memorystore.googleapis.com/${RELATIVE}`)!,
    instance: toValkeyInstance({
      name: RELATIVE,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [
        {
          connections: [
            {
              pscAutoConnection: {
                connectionType: 'CONNECTION_TYPE_PRIMARY',
                ipAddress: '10.9.0.4',
                network: net('other'),
              },
            },
          ],
        },
        {
          connections: [
            {
              pscAutoConnection: {
                connectionType: 'CONNECTION_TYPE_PRIMARY',
                ipAddress: '10.0.0.4',
                network: net('mesh'),
              },
            },
          ],
        },
      ],
    }),
  };
  const addressesOf = (result: ReturnType<typeof plan>) =>
    result.changes.flatMap((c) =>
      c.target === 'object' && c.ref.kind === 'ServiceEntry' && c.after ? [c.after['spec']?.['addresses']] : [],
    );

  test('Valkey: the cluster gets the endpoints on its own network, whichever group the API lists first', () => {
    const result = plan(emptyWorld(), [valkey], MESH);
    expect(result.errors).toEqual([]);
    expect(addressesOf(result)).toEqual([['10.0.0.4/32']]);
    expect(addressesOf(plan(emptyWorld(), [valkey], { CLUSTER_NETWORKS: net('other') }))).toEqual([['10.9.0.4/32']]);
  });

  test('Valkey: without CLUSTER_NETWORKS it is refused as before, naming the variable that would choose', () => {
    const result = plan(emptyWorld(), [valkey]);
    expect(addressesOf(result)).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        instance: valkey.name.full,
        retryable: false,
        message: expect.stringMatching(/^endpoints in 2 VPC networks .*set CLUSTER_NETWORKS/),
      }),
    ]);
  });

  test('Redis Cluster: the discovery endpoint and node addresses of the cluster’s network (direct mode)', () => {
    const CLUSTER = `projects/${PROJECT}/locations/us-central1/clusters/ledger`;
    const group = (address: string, network: string) => ({
      connections: [{ pscConnection: { address, network, connectionType: 'CONNECTION_TYPE_DISCOVERY' as const } }],
    });
    const cluster = {
      name: parseInstanceName(`//redis.googleapis.com/${CLUSTER}`)!,
      instance: toRedisClusterInstance({
        name: CLUSTER,
        state: 'ACTIVE',
        clusterEndpoints: [group('10.77.0.2', net('other')), group('10.40.2.2', net('mesh'))],
      }),
    };
    const env = { ...MESH, SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'true' };
    const addresses = new Set(addressesOf(plan(emptyWorld(), [cluster], env)).flat());
    expect([...addresses]).toEqual(['10.40.2.2/32']);
    expect(plan(emptyWorld(), [cluster], { SYNC_MODE: 'direct' }).errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^endpoints in 2 VPC networks/) }),
    ]);
  });
});
