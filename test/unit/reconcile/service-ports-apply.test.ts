import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { AuditWriter, type AuditPublisher } from '../../../shared/audit/audit-writer.js';
import { Logger } from '../../../shared/log.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import type { GatewayServiceState, ServicePort } from '../../../shared/plan/service-ports.js';
import { syncInstances } from '../../../shared/reconcile/sync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { testConfig } from '../../fixtures/settings.js';

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

function depsOn(cluster: MemoryCluster, env: Record<string, string> = {}): { deps: SyncDeps; published: AuditRecord[] } {
  const published: AuditRecord[] = [];
  const log = new Logger({}, () => undefined);
  const publisher: AuditPublisher = { publish: async (r) => void published.push(r) };
  let id = 0;
  const deps: SyncDeps = {
    config: testConfig(env), cluster, log, audit: new AuditWriter(log, publisher),
    instances: { get: async () => undefined, list: async () => ({ instances: [], unreachable: [] }) },
    clock: { now: () => new Date('2026-11-25T10:00:00Z'), monotonicMs: () => 0 }, newId: () => `id-${++id}`,
  };
  return { deps, published };
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
