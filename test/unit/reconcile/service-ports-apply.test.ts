import { syncDepsOn } from '../../fixtures/sync-deps.js';
import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import type { GatewayServiceState, ServicePort } from '../../../shared/plan/service-ports.js';
import { syncInstances } from '../../../shared/reconcile/sync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { testSync } from '../../../dev/fixtures/settings.js';

/**
 * Our ports on the egress gateway Service through the sync loop: each apply carries the Service's resourceVersion (the
 * one read for the first apply, the one the previous apply left for the next), and each port step's audit record
 * names the instance(s) its ports belong to.
 */
const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;
const observe = (id: string, fields = {}) => ({ name: nameOf(id), instance: readyInstance(id, fields) });
const gone = (id: string) => ({ name: nameOf(id) });

/** A Service with a resourceVersion, as the apiserver keeps it: every apply moves it on and answers the new one. */
class VersionedCluster extends MemoryCluster {
  version = 7;
  readonly carried: Array<string | undefined> = [];
  override async readGatewayService(namespace: string, name: string): Promise<GatewayServiceState> {
    return { ...(await super.readGatewayService(namespace, name)), resourceVersion: String(this.version) };
  }
  override async applyServicePorts(body: KubeObject): Promise<string | undefined> {
    this.carried.push(body.metadata.resourceVersion);
    await super.applyServicePorts(body);
    return String(++this.version);
  }
}

function depsOn(
  cluster: MemoryCluster,
  env: Record<string, string> = {},
): { deps: SyncDeps; published: AuditRecord[] } {
  return syncDepsOn(cluster, testSync(env));
}

const portNumbers = (ports: readonly ServicePort[]): number[] => ports.map((p) => p.port).sort((a, b) => a - b);

test('a plan that adds and frees ports applies twice: the read version, then the version the first apply left', async () => {
  const cluster = new VersionedCluster();
  await syncInstances(depsOn(cluster).deps, [observe('old')], trigger, { dryRun: false });
  cluster.carried.length = 0;
  await syncInstances(depsOn(cluster).deps, [gone('old'), observe('new')], trigger, { dryRun: false });
  expect(cluster.carried).toEqual(['8', '9']);
  expect(portNumbers(cluster.ports)).toEqual([16000, 16001]);
  expect(cluster.ports.find((p) => p.port === 16000)?.name).toMatch(/^tcp-freed-/);
});

const serviceRecords = (records: readonly AuditRecord[]): AuditRecord[] =>
  records.filter((r) => r.object.kind === 'Service');

test('each port apply is one audit record, naming the instance its ports belong to', async () => {
  const cluster = new VersionedCluster();
  const { deps, published } = depsOn(cluster);
  await syncInstances(deps, [observe('old')], trigger, { dryRun: false });
  await syncInstances(deps, [gone('old'), observe('new')], trigger, { dryRun: false });
  expect(serviceRecords(published).map((r) => [r.reason, r.instance?.name, r.outcome])).toEqual([
    ['gateway ports added', nameOf('old').full, 'applied'],
    ['gateway ports added', nameOf('new').full, 'applied'],
    ['gateway ports freed', nameOf('old').full, 'applied'],
  ]);
});

test('the ports of several instances in one apply are one record, naming them all in its reason', async () => {
  const cluster = new VersionedCluster();
  const { deps, published } = depsOn(cluster);
  const run = await syncInstances(deps, [observe('cache-1'), observe('cache-2')], trigger, { dryRun: false });
  const [record, ...rest] = serviceRecords(published);
  expect(rest).toEqual([]);
  expect(record?.instance).toBeNull();
  expect(record?.reason).toBe(
    `gateway ports added for 2 instances: ${[nameOf('cache-1').full, nameOf('cache-2').full].sort().join(', ')}`,
  );
  expect(run.tally.counts).toEqual({ create: 8, update: 1 });
});
