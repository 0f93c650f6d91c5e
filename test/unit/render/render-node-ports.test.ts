import { isOwned, instanceNameOf, type KubeObject } from '../../../shared/model/k8s-object.js';
import { parseInstanceName } from '../../../shared/model/instance.js';
import { nodePortsEntryName, objectName } from '../../../shared/render/names.js';
import { NODE_PORTS_PER_ENTRY, renderNodePorts, splitPortRange } from '../../../shared/render/render-node-ports.js';
import { SHARDED_NODE_PORT_RANGE } from '../../../shared/sources/node-ports.js';
import { testConfig } from '../../fixtures/settings.js';

const cluster = parseInstanceName('//redis.googleapis.com/projects/test-project/locations/us-central1/clusters/ledger')!;
const nodePorts = { addresses: ['10.40.0.2', '10.40.0.3'], range: SHARDED_NODE_PORT_RANGE };
const on = testConfig({ SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'true', OWNER_ID: 'o1' });

type Port = { number: number; name: string; protocol: string };
const portsOf = (o: KubeObject): Port[] => o.spec['ports'] as Port[];
const every = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('splitting a port range into blocks a ServiceEntry can hold', () => {
  test('11000-13047 is 8 blocks of 256 that cover it exactly, each port once, in order', () => {
    const blocks = splitPortRange(SHARDED_NODE_PORT_RANGE);
    expect(blocks).toHaveLength(8);
    expect(blocks.every((b) => b.to - b.from + 1 === NODE_PORTS_PER_ENTRY)).toBe(true);
    expect(blocks.flatMap((b) => every(b.from, b.to))).toEqual(every(11000, 13047));
  });

  test.each([
    [{ from: 1, to: 1 }, [{ from: 1, to: 1 }]],
    [{ from: 10, to: 600 }, [{ from: 10, to: 265 }, { from: 266, to: 521 }, { from: 522, to: 600 }]],
    [{ from: 100, to: 355 }, [{ from: 100, to: 355 }]],
  ])('%j: the last block takes what is left', (range, blocks) => {
    expect(splitPortRange(range)).toEqual(blocks);
  });
});

describe('the node-port ServiceEntries of a sharded target', () => {
  const rendered = renderNodePorts(cluster, nodePorts, on);

  test('every port of 11000-13047 is declared exactly once, at most 256 to an object, names distinct in each', () => {
    expect(rendered.flatMap((o) => portsOf(o).map((p) => p.number))).toEqual(every(11000, 13047));
    for (const object of rendered) {
      expect(portsOf(object).length).toBeLessThanOrEqual(256);
      expect(new Set(portsOf(object).map((p) => p.name)).size).toBe(portsOf(object).length);
      expect(portsOf(object).every((p) => p.protocol === 'TCP' && p.name === `tcp-redis-${p.number}`)).toBe(true);
    }
  });

  test('stable names: the instance\'s base name and the first port of the block', () => {
    expect(rendered.map((o) => o.metadata.name)).toEqual([11000, 11256, 11512, 11768, 12024, 12280, 12536, 12792].map((p) => `${objectName(cluster)}-nodes-${p}`));
    expect(rendered.map((o) => o.metadata.name)).toEqual(rendered.map((o) => nodePortsEntryName(cluster, portsOf(o)[0]!.number)));
    expect(renderNodePorts(cluster, { ...nodePorts }, on)).toEqual(rendered);
  });

  test('each declares every PSC address, resolution NONE (on to the address dialled), no endpoints, its own host', () => {
    for (const object of rendered) {
      expect(object.spec).toMatchObject({ addresses: ['10.40.0.2/32', '10.40.0.3/32'], location: 'MESH_EXTERNAL', resolution: 'NONE', exportTo: ['*'] });
      expect(object.spec['endpoints']).toBeUndefined();
    }
    expect(rendered.map((o) => (o.spec['hosts'] as string[])[0])).toEqual(
      rendered.map((o) => `nodes-${portsOf(o)[0]!.number}.ledger.rediscluster.us-central1.test-project.memorystore.internal`),
    );
  });

  test('owned and labelled like every other object of the instance, so plan, prune and audit treat them alike', () => {
    expect(rendered.every((o) => isOwned(o, 'o1') && instanceNameOf(o) === cluster.full && o.metadata.namespace === 'istio-system')).toBe(true);
  });

  test('nothing when the option is off, in egress-gateway mode, or with no node address yet', () => {
    expect(renderNodePorts(cluster, nodePorts, testConfig({ SYNC_MODE: 'direct' }))).toEqual([]);
    expect(renderNodePorts(cluster, nodePorts, testConfig({ SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'false' }))).toEqual([]);
    expect(renderNodePorts(cluster, nodePorts, testConfig({ SHARDED_NODE_PORTS: 'true' }))).toEqual([]);
    expect(renderNodePorts(cluster, undefined, on)).toEqual([]);
  });

  test('size: each object is a few KiB of JSON, far below the 1.5 MiB etcd takes per object', () => {
    const bytes = rendered.map((o) => Buffer.byteLength(JSON.stringify(o)));
    expect(Math.max(...bytes)).toBeLessThan(16 * 1024);
    expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThan(128 * 1024);
  });
});
