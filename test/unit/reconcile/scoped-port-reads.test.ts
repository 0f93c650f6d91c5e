import { syncDepsOn } from '../../fixtures/sync-deps.js';
import type { GatewayServiceState } from '../../../shared/plan/service-ports.js';
import { syncInstances } from '../../../shared/reconcile/sync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { testSync } from '../../../dev/fixtures/settings.js';

/**
 * What an event reads of the gateway port Services: the blocks its instance routes through and one Service with room,
 * not every block, so its reads do not grow with the number of instances; and the ports it hands out are the same as
 * a read of every block would give (blocks fill in order, a hole is found again before the range is called full).
 * A range of 60 ports in blocks of 10.
 */
const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;
const ENV = { GATEWAY_PORT_RANGE: '20000-20059', GATEWAY_PORTS_PER_SERVICE: '10', PORT_QUARANTINE_SECONDS: '0' };
const REPLICAS = { readEndpoint: '10.0.0.4', readEndpointPort: 6379 } as const;

/** Counts the Service ports each read hands back: what an event's reads cost, in the unit that grows with N. */
class CountingCluster extends MemoryCluster {
  portsRead = 0;
  private counted(services: readonly GatewayServiceState[]): void {
    for (const service of services) this.portsRead += service.ports.length;
  }
  override async readGatewayService(namespace: string, name: string): Promise<GatewayServiceState> {
    const read = await super.readGatewayService(namespace, name);
    this.counted([read]);
    return read;
  }
  override async listPortServices(namespace: string, selector: string, limit?: number): Promise<GatewayServiceState[]> {
    const read = await super.listPortServices(namespace, selector, limit);
    this.counted(read);
    return read;
  }
  override async readPortService(namespace: string, name: string): Promise<GatewayServiceState | undefined> {
    const read = await super.readPortService(namespace, name);
    if (read) this.counted([read]);
    return read;
  }
}

function depsOn(cluster: MemoryCluster, env: Record<string, string> = ENV): SyncDeps {
  return syncDepsOn(cluster, testSync(env), new Date('2026-12-07T10:00:00Z')).deps;
}

/** One event for one instance (created, or deleted when `fields` is null); the Service ports it read. */
async function event(cluster: CountingCluster, id: string, fields: object | null = {}): Promise<number> {
  cluster.portsRead = 0;
  const observation = fields ? { name: nameOf(id), instance: readyInstance(id, fields) } : { name: nameOf(id) };
  const run = await syncInstances(depsOn(cluster), [observation], trigger, { dryRun: false });
  expect(run.errors).toEqual([]);
  return cluster.portsRead;
}

/** Every gateway port by the Service it is on. */
function portsByService(cluster: MemoryCluster): Record<string, number[]> {
  const found: Record<string, number[]> = { 'istio-egressgateway': cluster.ports.map((p) => p.port) };
  for (const object of cluster.objects.values())
    if (object.kind === 'Service')
      found[object.metadata.name] = ((object.spec['ports'] as { port: number }[]) ?? []).map((p) => p.port);
  for (const ports of Object.values(found)) ports.sort((a, b) => a - b);
  return found;
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, k) => from + k);

test('a create event reads one block with room, not every block, and blocks still fill in order', async () => {
  const cluster = new CountingCluster();
  const reads: number[] = [];
  for (let k = 0; k < 50; k++) reads.push(await event(cluster, `inst-${k}`));
  expect(portsByService(cluster)).toEqual({
    'istio-egressgateway': range(20000, 10),
    'istio-egressgateway-ports-20010': range(20010, 10),
    'istio-egressgateway-ports-20020': range(20020, 10),
    'istio-egressgateway-ports-20030': range(20030, 10),
    'istio-egressgateway-ports-20040': range(20040, 10),
  });
  // Each event read at most one block's ports, but the one that found none of ours with room: it read every block
  // (three full ones, then four) and opened the next.
  const overOneBlock = reads.flatMap((r, k) => (r > 10 ? [[k, r]] : []));
  expect(overOneBlock).toEqual([
    [20, 20],
    [30, 30],
    [40, 40],
  ]);
  // The label that lets an event find room without reading the blocks: full ones say so.
  const full = [...cluster.objects.values()].map((o) => o.metadata.labels?.['memorystore-egress-sync/ports-full']);
  expect(full.filter((v) => v !== undefined)).toEqual(['true', 'true', 'true', 'true']);
});

test('a no-op event reads only the block its instance routes through', async () => {
  const cluster = new CountingCluster();
  for (let k = 0; k < 35; k++) await event(cluster, `inst-${k}`);
  // inst-12's port is in the second block (on our own Service), inst-3's on the egress gateway Service.
  expect(await event(cluster, 'inst-12')).toBe(10);
  expect(await event(cluster, 'inst-3')).toBe(10);
});

test('an instance the block with room cannot hold whole is placed by a read of every block', async () => {
  const cluster = new CountingCluster();
  for (let k = 0; k < 19; k++) await event(cluster, `inst-${k}`);
  // 20019 is the one free port, in the second block; two endpoints need a block with two.
  expect(portsByService(cluster)['istio-egressgateway-ports-20010']).toEqual(range(20010, 9));
  await event(cluster, 'pair', REPLICAS);
  expect(portsByService(cluster)['istio-egressgateway-ports-20020']).toEqual([20020, 20021]);
  await event(cluster, 'single');
  expect(portsByService(cluster)['istio-egressgateway-ports-20010']).toEqual(range(20010, 10));
});

test('a hole in a full block is found again before a new block is opened', async () => {
  const cluster = new CountingCluster();
  for (let k = 0; k < 20; k++) await event(cluster, `inst-${k}`);
  await event(cluster, 'inst-4', null);
  await event(cluster, 'late');
  expect(portsByService(cluster)).toEqual({
    'istio-egressgateway': range(20000, 10),
    'istio-egressgateway-ports-20010': range(20010, 10),
  });
});

test('blocks made smaller (the default went from 1,000 ports per Service to 100): each port moves to its new block', async () => {
  const cluster = new CountingCluster();
  const sized = (perService: string) => ({
    ...ENV,
    GATEWAY_PORT_RANGE: '20000-20011',
    GATEWAY_PORTS_PER_SERVICE: perService,
  });
  const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => ({
    name: nameOf(id),
    instance: readyInstance(id, { host: `10.0.1.${i + 1}` }),
  }));
  const sync = async (perService: string) =>
    (await syncInstances(depsOn(cluster, sized(perService)), six, trigger, { dryRun: false })).errors;
  expect(await sync('4')).toEqual([]);
  expect(portsByService(cluster)).toEqual({
    'istio-egressgateway': range(20000, 4),
    'istio-egressgateway-ports-20004': [20004, 20005],
  });
  // 20004-20005 are on `-ports-20004`, also the name of their block of 2; 20002-20003 move to `-ports-20002`.
  expect(await sync('2')).toEqual([]);
  expect(portsByService(cluster)).toEqual({
    'istio-egressgateway': [20000, 20001],
    'istio-egressgateway-ports-20002': [20002, 20003],
    'istio-egressgateway-ports-20004': [20004, 20005],
  });
  // Every route follows its port: each instance's DestinationRule names its block's Service.
  const hosts = [...cluster.objects.values()]
    .filter((o) => o.kind === 'DestinationRule')
    .map((o) => String(o.spec['host']).split('.')[0])
    .sort();
  expect(hosts).toEqual([
    ...Array<string>(2).fill('istio-egressgateway'),
    ...Array<string>(2).fill('istio-egressgateway-ports-20002'),
    ...Array<string>(2).fill('istio-egressgateway-ports-20004'),
  ]);
});
