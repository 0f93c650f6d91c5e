import { isOwned, instanceNameOf, type KubeObject } from '../../../shared/model/k8s-object.js';
import { parseInstanceName } from '../../../shared/products/instance-name.js';
import { nodePortsEntryName, objectName } from '../../../shared/render/names.js';
import { NODE_PORTS_PER_ENTRY, renderNodePorts, splitPortRange } from '../../../shared/render/render-node-ports.js';
import { SHARDED_NODE_PORT_RANGE } from '../../../shared/products/node-ports.js';
import { testPlanSettings } from '../../../dev/fixtures/settings.js';

const cluster = parseInstanceName(
  '//redis.googleapis.com/projects/test-project/locations/us-central1/clusters/ledger',
)!;
const nodePorts = { addresses: ['10.40.0.2', '10.40.0.3'], range: SHARDED_NODE_PORT_RANGE };
const on = testPlanSettings({ SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'true', OWNER_ID: 'o1' });

type Port = { number: number; name: string; protocol: string };
const portsOf = (o: KubeObject): Port[] => o.spec['ports'] as Port[];
const every = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('splitting a port range into blocks a ServiceEntry can hold', () => {
  test('11000-13047 is 32 blocks of 64 that cover it exactly, each port once, in order', () => {
    const blocks = splitPortRange(SHARDED_NODE_PORT_RANGE);
    expect(NODE_PORTS_PER_ENTRY).toBe(64);
    expect(blocks).toHaveLength(32);
    expect(blocks.every((b) => b.to - b.from + 1 === NODE_PORTS_PER_ENTRY)).toBe(true);
    expect(blocks.flatMap((b) => every(b.from, b.to))).toEqual(every(11000, 13047));
  });

  test.each([
    [{ from: 1, to: 1 }, [{ from: 1, to: 1 }]],
    [
      { from: 10, to: 150 },
      [
        { from: 10, to: 73 },
        { from: 74, to: 137 },
        { from: 138, to: 150 },
      ],
    ],
    [{ from: 100, to: 163 }, [{ from: 100, to: 163 }]],
  ])('%j: the last block takes what is left', (range, blocks) => {
    expect(splitPortRange(range)).toEqual(blocks);
  });

  test("a block never holds more than the 256 ports Istio's CRD allows, whatever size is asked for", () => {
    expect(splitPortRange({ from: 1, to: 600 }, 300).map((b) => b.to - b.from + 1)).toEqual([256, 256, 88]);
    expect(splitPortRange({ from: 1, to: 3 }, 0).map((b) => b.to - b.from + 1)).toEqual([1, 1, 1]);
  });
});

describe('the node-port ServiceEntries of a sharded target', () => {
  const rendered = renderNodePorts(cluster, nodePorts, on);

  test('every port of 11000-13047 is declared exactly once, 64 to an object, names distinct in each', () => {
    expect(rendered.flatMap((o) => portsOf(o).map((p) => p.number))).toEqual(every(11000, 13047));
    for (const object of rendered) {
      expect(portsOf(object)).toHaveLength(64);
      expect(new Set(portsOf(object).map((p) => p.name)).size).toBe(portsOf(object).length);
      expect(portsOf(object).every((p) => p.protocol === 'TCP' && p.name === `tcp-redis-${p.number}`)).toBe(true);
    }
  });

  test("stable names: the instance's base name and the first port of the block", () => {
    expect(rendered.map((o) => o.metadata.name)).toEqual(
      Array.from({ length: 32 }, (_, i) => `${objectName(cluster)}-nodes-${11000 + 64 * i}`),
    );
    expect(rendered.map((o) => o.metadata.name)).toEqual(
      rendered.map((o) => nodePortsEntryName(cluster, portsOf(o)[0]!.number)),
    );
    expect(renderNodePorts(cluster, { ...nodePorts }, on)).toEqual(rendered);
  });

  test('each declares every PSC address, resolution NONE (on to the address dialled), no endpoints, its own host', () => {
    for (const object of rendered) {
      expect(object.spec).toMatchObject({
        addresses: ['10.40.0.2/32', '10.40.0.3/32'],
        location: 'MESH_EXTERNAL',
        resolution: 'NONE',
        exportTo: ['*'],
      });
      expect(object.spec['endpoints']).toBeUndefined();
    }
    expect(rendered.map((o) => (o.spec['hosts'] as string[])[0])).toEqual(
      rendered.map(
        (o) => `nodes-${portsOf(o)[0]!.number}.ledger.rediscluster.us-central1.test-project.memorystore.internal`,
      ),
    );
  });

  test('owned and labelled like every other object of the instance, so plan, prune and audit treat them alike', () => {
    expect(
      rendered.every(
        (o) => isOwned(o, 'o1') && instanceNameOf(o) === cluster.full && o.metadata.namespace === 'istio-system',
      ),
    ).toBe(true);
  });

  test('nothing when the option is off, in egress-gateway mode, or with no node address yet', () => {
    expect(renderNodePorts(cluster, nodePorts, testPlanSettings({ SYNC_MODE: 'direct' }))).toEqual([]);
    expect(
      renderNodePorts(cluster, nodePorts, testPlanSettings({ SYNC_MODE: 'direct', SHARDED_NODE_PORTS: 'false' })),
    ).toEqual([]);
    expect(renderNodePorts(cluster, nodePorts, testPlanSettings({ SHARDED_NODE_PORTS: 'true' }))).toEqual([]);
    expect(renderNodePorts(cluster, undefined, on)).toEqual([]);
  });

  test('size: each object is a few KiB of JSON, far below the 1.5 MiB etcd takes per object', () => {
    const bytes = rendered.map((o) => Buffer.byteLength(JSON.stringify(o)));
    expect(Math.max(...bytes)).toBeLessThan(8 * 1024);
    expect(bytes.reduce((a, b) => a + b, 0)).toBeLessThan(192 * 1024);
  });
});
