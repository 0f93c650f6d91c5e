import { toValkeyInstance } from '../../../shared/products/valkey/mapper.js';

type Api = Parameters<typeof toValkeyInstance>[0];
const NAME = 'projects/p/locations/us-central1/instances/vk-1';
const auto = (connectionType: string, ipAddress: string, port?: number) => ({
  pscAutoConnection: { ipAddress, connectionType, ...(port ? { port } : {}) },
});

describe('a Memorystore for Valkey instance as the reconciler sees it', () => {
  test('cluster mode disabled: PRIMARY and READER connections are the primary and read endpoints', () => {
    const api: Api = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [
        {
          connections: [
            auto('CONNECTION_TYPE_READER', '10.0.0.5', 6380),
            auto('CONNECTION_TYPE_PRIMARY', '10.0.0.4', 6380),
          ],
        },
      ],
    } as Api;
    expect(toValkeyInstance(api)).toEqual({
      name: `//memorystore.googleapis.com/${NAME}`,
      state: 'ACTIVE',
      phase: 'ready',
      endpoints: [
        { role: 'primary', address: '10.0.0.4', port: 6380 },
        { role: 'read', address: '10.0.0.5', port: 6380 },
      ],
    });
  });

  test('a connection without a port uses 6379; a user-made pscConnection counts like an automatic one', () => {
    const api = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [
        { connections: [{ pscConnection: { ipAddress: '10.0.0.7', connectionType: 'CONNECTION_TYPE_PRIMARY' } }] },
      ],
    } as Api;
    expect(toValkeyInstance(api).endpoints).toEqual([{ role: 'primary', address: '10.0.0.7', port: 6379 }]);
  });

  test('a second endpoint group (another VPC network) does not add endpoints: the first group of each role wins', () => {
    const api = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [
        { connections: [auto('CONNECTION_TYPE_PRIMARY', '10.0.0.4')] },
        { connections: [auto('CONNECTION_TYPE_PRIMARY', '10.9.0.4')] },
      ],
    } as Api;
    expect(toValkeyInstance(api).endpoints).toEqual([{ role: 'primary', address: '10.0.0.4', port: 6379 }]);
  });

  test('cluster mode, and mode unset (cluster is the default): sharded, with the discovery endpoint only', () => {
    for (const mode of ['CLUSTER', undefined]) {
      const api = {
        name: NAME,
        state: 'ACTIVE',
        ...(mode ? { mode } : {}),
        endpoints: [{ connections: [auto('CONNECTION_TYPE_DISCOVERY', '10.0.1.2')] }],
      } as Api;
      expect(toValkeyInstance(api)).toMatchObject({
        sharded: true,
        endpoints: [{ role: 'discovery', address: '10.0.1.2', port: 6379 }],
      });
    }
  });

  test('cluster mode: node ports on every PSC address of the first endpoint group, whatever the connection type', () => {
    // A real cluster-mode instance has one connection per service attachment: DISCOVERY, and one of no type.
    const api = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER',
      endpoints: [
        {
          connections: [
            auto('CONNECTION_TYPE_DISCOVERY', '10.0.1.2', 6379),
            auto('CONNECTION_TYPE_UNSPECIFIED', '10.0.1.10'),
          ],
        },
        { connections: [auto('CONNECTION_TYPE_DISCOVERY', '10.9.1.2', 6379)] },
      ],
    } as Api;
    expect(toValkeyInstance(api)).toMatchObject({
      endpoints: [{ role: 'discovery', address: '10.0.1.2', port: 6379 }],
      nodePorts: { addresses: ['10.0.1.10', '10.0.1.2'], range: { from: 11000, to: 13047 } },
    });
  });

  test('node ports: from the older pscAutoConnections or discoveryEndpoints; none when cluster mode is disabled', () => {
    const legacy = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER',
      pscAutoConnections: [
        { ipAddress: '10.0.3.2', port: 6379, connectionType: 'CONNECTION_TYPE_DISCOVERY' },
        { ipAddress: '10.0.3.3' },
      ],
    } as Api;
    expect(toValkeyInstance(legacy).nodePorts?.addresses).toEqual(['10.0.3.2', '10.0.3.3']);
    const discoveryOnly = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER',
      discoveryEndpoints: [{ address: '10.0.1.9', port: 6379 }],
    } as Api;
    expect(toValkeyInstance(discoveryOnly).nodePorts?.addresses).toEqual(['10.0.1.9']);
    const standalone = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      endpoints: [{ connections: [auto('CONNECTION_TYPE_PRIMARY', '10.0.0.4')] }],
    } as Api;
    expect(toValkeyInstance(standalone).nodePorts).toBeUndefined();
    expect(toValkeyInstance({ name: NAME, state: 'CREATING', mode: 'CLUSTER' }).nodePorts).toBeUndefined();
  });

  test('an instance reporting only the older top-level pscAutoConnections is read from them', () => {
    const api = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER_DISABLED',
      pscAutoConnections: [{ ipAddress: '10.0.2.4', port: 6379, connectionType: 'CONNECTION_TYPE_PRIMARY' }],
    } as Api;
    expect(toValkeyInstance(api).endpoints).toEqual([{ role: 'primary', address: '10.0.2.4', port: 6379 }]);
  });

  test('cluster mode with only the older discoveryEndpoints field', () => {
    const api = {
      name: NAME,
      state: 'ACTIVE',
      mode: 'CLUSTER',
      discoveryEndpoints: [{ address: '10.0.1.9', port: 6379 }],
    } as Api;
    expect(toValkeyInstance(api).endpoints).toEqual([{ role: 'discovery', address: '10.0.1.9', port: 6379 }]);
  });

  test.each([
    ['CREATING', 'changing'],
    ['UPDATING', 'changing'],
    ['MIGRATING', 'changing'],
    ['DELETING', 'deleting'],
    ['ACTIVE', 'ready'],
  ])('state %s is %s', (state, phase) => {
    expect(toValkeyInstance({ name: NAME, state } as Api).phase).toBe(phase);
  });

  test('no endpoint while it is being created, nor with a reader and no primary yet', () => {
    expect(toValkeyInstance({ name: NAME, state: 'CREATING', mode: 'CLUSTER_DISABLED' }).endpoints).toBeUndefined();
    const readerOnly = {
      name: NAME,
      state: 'CREATING',
      mode: 'CLUSTER_DISABLED',
      endpoints: [{ connections: [auto('CONNECTION_TYPE_READER', '10.0.0.5')] }],
    } as Api;
    expect(toValkeyInstance(readerOnly).endpoints).toBeUndefined();
  });
});
