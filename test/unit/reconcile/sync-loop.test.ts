import { syncDepsOn } from '../../fixtures/sync-deps.js';
import type { AuditRecord } from '../../../shared/audit/audit-record.js';
import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { PermanentError, TransientError, WriteConflictError } from '../../../shared/errors.js';
import { objectName } from '../../../shared/render/names.js';
import { Logger } from '../../../shared/log.js';
import { ANNOTATION_LAST_CHANGE_ID, type KubeObject } from '../../../shared/model/k8s-object.js';
import { syncInstances } from '../../../shared/reconcile/sync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';
import { testSync } from '../../../dev/fixtures/settings.js';

/** The sync loop itself, on an in-memory cluster: make before break, the first failed step stops, 409 re-plans. */
const settings = testSync();
const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;
const scope = [{ name: nameOf('cache-1'), instance: readyInstance('cache-1') }];

function depsOn(cluster: MemoryCluster): { deps: SyncDeps; published: AuditRecord[] } {
  return syncDepsOn(cluster, settings);
}

/** Records every write in order, and fails the first create of `failKind` with `error`. */
class ScriptedCluster extends MemoryCluster {
  readonly writes: string[] = [];
  private error: Error | undefined;
  constructor(
    private readonly failKind?: string,
    error?: Error,
  ) {
    super();
    this.error = error;
  }
  override async create(object: KubeObject): Promise<KubeObject> {
    this.writes.push(`create ${object.kind}`);
    if (object.kind === this.failKind && this.error) {
      const error = this.error;
      this.error = undefined;
      throw error;
    }
    return super.create(object);
  }
  override async applyServicePorts(body: KubeObject): Promise<string | undefined> {
    this.writes.push('apply Service');
    return super.applyServicePorts(body);
  }
}

test('writes make before break: ServiceEntry, Service port, Gateway, DestinationRule, VirtualService', async () => {
  const cluster = new ScriptedCluster();
  const { deps, published } = depsOn(cluster);
  const run = await syncInstances(deps, scope, trigger, { dryRun: false });
  expect(cluster.writes).toEqual([
    'create ServiceEntry',
    'apply Service',
    'create Gateway',
    'create DestinationRule',
    'create VirtualService',
  ]);
  expect(run.tally.counts).toEqual({ create: 4, update: 1 });
  expect(published.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
});

/** Refuses (HTTP 422, as a CRD schema or an admission policy does) every write of one object name, always. */
class RefusingCluster extends ScriptedCluster {
  constructor(
    private readonly refusedName: string,
    private readonly refusedKind: string,
  ) {
    super();
  }
  override async create(object: KubeObject): Promise<KubeObject> {
    if (object.metadata.name === this.refusedName && object.kind === this.refusedKind) {
      this.writes.push(`create ${object.kind} (refused)`);
      throw new PermanentError(`create ${object.kind}: HTTP 422 Invalid`);
    }
    return super.create(object);
  }
}

const outcomes = (records: readonly AuditRecord[], instance: string): string[] =>
  records
    .filter((r) => r.instance?.name === instance)
    .map((r) => `${r.object.kind} ${r.outcome}${r.error?.startsWith('not attempted') ? ' (not attempted)' : ''}`);

test('a refused write fails its instance alone: its later steps are not attempted, the others are written', async () => {
  const two = [...scope, { name: nameOf('cache-2'), instance: readyInstance('cache-2') }];
  const cluster = new RefusingCluster(objectName(nameOf('cache-1')), 'Gateway');
  const { deps, published } = depsOn(cluster);
  const run = await syncInstances(deps, two, trigger, { dryRun: false });
  expect(run.errors).toEqual([
    expect.objectContaining({ instance: nameOf('cache-1').full, retryable: false, refusedWrite: true }),
  ]);
  expect(run.errors[0]!.message).toContain('HTTP 422');
  expect(outcomes(published, nameOf('cache-2').full)).toEqual([
    'ServiceEntry applied',
    'Gateway applied',
    'DestinationRule applied',
    'VirtualService applied',
  ]);
  // No VirtualService points at the Gateway that was refused.
  expect(outcomes(published, nameOf('cache-1').full)).toEqual([
    'ServiceEntry applied',
    'Gateway failed',
    'DestinationRule failed (not attempted)',
    'VirtualService failed (not attempted)',
  ]);
  expect([...cluster.objects.keys()].filter((k) => k.startsWith('VirtualService'))).toHaveLength(1);
});

test('a refused write of the only instance fails it; the sync reports it rather than throwing', async () => {
  const cluster = new RefusingCluster(objectName(nameOf('cache-1')), 'Gateway');
  const { deps } = depsOn(cluster);
  const run = await syncInstances(deps, scope, trigger, { dryRun: false });
  expect(cluster.writes).toEqual(['create ServiceEntry', 'apply Service', 'create Gateway (refused)']);
  expect(run.errors.map((e) => e.instance)).toEqual([nameOf('cache-1').full]);
});

test('a transient failure still stops the whole plan, and the error goes up to be retried', async () => {
  const cluster = new ScriptedCluster('Gateway', new TransientError('create: HTTP 503'));
  const { deps, published } = depsOn(cluster);
  await expect(syncInstances(deps, scope, trigger, { dryRun: false })).rejects.toThrow('HTTP 503');
  expect(cluster.writes).toEqual(['create ServiceEntry', 'apply Service', 'create Gateway']);
  expect(outcomes(published, nameOf('cache-1').full).slice(-2)).toEqual([
    'DestinationRule failed (not attempted)',
    'VirtualService failed (not attempted)',
  ]);
});

test('a conflict that is retried is recorded as conflict-retried, not failed; the writes it held up are not recorded twice', async () => {
  const cluster = new ScriptedCluster('Gateway', new WriteConflictError('create: HTTP 409 AlreadyExists'));
  const { deps, published } = depsOn(cluster);
  await syncInstances(deps, scope, trigger, { dryRun: false });
  expect(published.filter((r) => r.outcome === 'failed')).toEqual([]);
  expect(published.map((r) => `${r.object.kind} ${r.outcome}`)).toEqual([
    'ServiceEntry applied',
    'Service applied',
    'Gateway conflict-retried',
    'Gateway applied',
    'DestinationRule applied',
    'VirtualService applied',
  ]);
});

test('the conflict of the last try is a failure', async () => {
  // Eight tries with a jittered backoff between them: a few seconds.
  class AlwaysConflicting extends ScriptedCluster {
    override async create(object: KubeObject): Promise<KubeObject> {
      if (object.kind === 'Gateway') throw new WriteConflictError('create: HTTP 409 Conflict');
      return super.create(object);
    }
  }
  const { deps, published } = depsOn(new AlwaysConflicting());
  await expect(syncInstances(deps, scope, trigger, { dryRun: false })).rejects.toThrow('HTTP 409');
  expect(published.filter((r) => r.object.kind === 'Gateway').map((r) => r.outcome)).toEqual([
    ...Array(7).fill('conflict-retried'),
    'failed',
  ]);
});

test('a conflict (409) re-reads the cluster and plans again: the retry writes only what is still missing', async () => {
  const cluster = new ScriptedCluster('DestinationRule', new WriteConflictError('create: HTTP 409 AlreadyExists'));
  const { deps } = depsOn(cluster);
  const run = await syncInstances(deps, scope, trigger, { dryRun: false });
  expect(cluster.writes).toEqual([
    'create ServiceEntry',
    'apply Service',
    'create Gateway',
    'create DestinationRule',
    'create DestinationRule',
    'create VirtualService',
  ]);
  expect(cluster.objects.size).toBe(4);
  // The first try's writes are counted with the retry's: the caller must know the instance was written.
  expect(run.tally.written.has(scope[0]!.name.full)).toBe(true);
  expect(run.tally.counts['create']).toBe(4);
});

test('a dry run writes nothing and records every planned change as planned, dry_run: true', async () => {
  const cluster = new ScriptedCluster();
  const { deps, published } = depsOn(cluster);
  const run = await syncInstances(deps, scope, trigger, { dryRun: true });
  expect(cluster.writes).toEqual([]);
  expect(published.map((r) => [r.outcome, r.dry_run])).toEqual(Array(5).fill(['planned', true]));
  expect(run.tally.kept).toHaveLength(5);
});

test('a plan the guard refuses writes nothing and is not recorded in the audit trail', async () => {
  const cluster = new ScriptedCluster();
  const { deps, published } = depsOn(cluster);
  const run = await syncInstances(deps, scope, trigger, { dryRun: false, guard: () => 'too many deletions' });
  expect(cluster.writes).toEqual([]);
  expect(published).toEqual([]);
  expect(run.refused).toBe('too many deletions');
  expect(run.tally.counts).toEqual({ create: 4, update: 1 });
});

test('each write is preceded by its intent in the log, under the id the object will carry', async () => {
  const lines: Array<{ message: string; record: AuditRecord }> = [];
  const intentsAtWrite: boolean[] = [];
  class Watching extends ScriptedCluster {
    override async create(object: KubeObject): Promise<KubeObject> {
      const id = object.metadata.annotations?.[ANNOTATION_LAST_CHANGE_ID];
      intentsAtWrite.push(lines.some((l) => l.message === 'audit intent' && l.record.id === id));
      return super.create(object);
    }
  }
  const cluster = new Watching();
  const { deps } = depsOn(cluster);
  const log = new Logger({}, (line) => void lines.push(JSON.parse(line) as { message: string; record: AuditRecord }));
  await syncInstances({ ...deps, log, audit: new AuditWriter(log) }, scope, trigger, { dryRun: false });
  expect(intentsAtWrite).toEqual([true, true, true, true]);
  const intents = lines.filter((l) => l.message === 'audit intent');
  expect(intents.map((l) => l.record.outcome)).toEqual(Array(5).fill('intent'));
  // Each intent is followed by the same id's record.
  const records = lines.filter((l) => l.message === 'audit record');
  expect(records.map((l) => l.record.id)).toEqual(intents.map((l) => l.record.id));
});
