import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { PermanentError } from '../../../shared/errors.js';
import { Logger } from '../../../shared/log.js';
import { instanceNameOf } from '../../../shared/model/k8s-object.js';
import type { MemorystoreInstance } from '../../../shared/model/instance.js';
import { outOfScope } from '../../../shared/plan/scope-policies.js';
import { resync } from '../../../shared/reconcile/resync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { syncOf, testSettings } from '../../../dev/fixtures/settings.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';

/**
 * MEMORYSTORE_SCOPE: the inventory says which projects hold instances, each of those is listed for the products found
 * there, and an instance we hold objects for elsewhere is read on its own before anything of it is removed.
 */
const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;
const SCOPE = { MEMORYSTORE_SCOPE: 'folders/100' };
const instanceIn = (id: string, project: string, host: string): MemorystoreInstance => ({
  ...readyInstance(id, { host }),
  name: nameOf(id, 'us-central1', project).full,
});

interface World {
  /** What the inventory has indexed, by identity. */
  indexed: string[];
  /** What each project's listing answers. */
  live: Map<string, MemorystoreInstance[]>;
  /** Calls made: `discover scope`, `list project/location products`, `get name`. */
  calls: string[];
  /** Gets that fail, by name. */
  unreadable: Set<string>;
}

function depsOver(env: Record<string, string>, cluster: MemoryCluster, world: World) {
  const logs: Array<Record<string, unknown>> = [];
  const log = new Logger({}, (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  const everything = (): MemorystoreInstance[] => [...world.live.values()].flat();
  const deps: SyncDeps = {
    settings: syncOf(testSettings(env)),
    instances: {
      get: async (name) => {
        world.calls.push(`get ${name}`);
        if (world.unreadable.has(name)) throw new PermanentError(`get ${name}: HTTP 403`);
        return everything().find((i) => i.name === name);
      },
      list: async (project, location, products) => {
        world.calls.push(`list ${project}/${location} ${products?.join(',')}`);
        return { instances: world.live.get(project) ?? [], unreachable: [] };
      },
      discover: async (scope, products) => {
        world.calls.push(`discover ${scope} ${products.join(',')}`);
        return { names: world.indexed, pages: 1 };
      },
    },
    cluster,
    audit: new AuditWriter(log, { publish: async () => undefined }, true),
    log,
    clock: { now: () => new Date('2026-11-25T10:00:30Z'), monotonicMs: () => 0 },
    newId: () => 'id-1',
  };
  return { deps, logs };
}

const owners = (cluster: MemoryCluster) => new Set([...cluster.objects.values()].map(instanceNameOf));
const a1 = instanceIn('a-1', 'team-a', '10.0.0.11');
const a2 = instanceIn('a-2', 'team-a', '10.0.0.12');
const b1 = instanceIn('b-1', 'team-b', '10.0.0.21');

test('only the projects the inventory found are listed, for the products found there, and their instances synced', async () => {
  const cluster = new MemoryCluster();
  const world: World = {
    indexed: [a1.name, b1.name],
    live: new Map([
      ['team-a', [a1, a2]],
      ['team-b', [b1]],
      ['team-c', [instanceIn('c-1', 'team-c', '10.0.0.31')]],
    ]),
    calls: [],
    unreadable: new Set(),
  };
  const { deps, logs } = depsOver({ ...SCOPE, MEMORYSTORE_PRODUCTS: 'redis,valkey' }, cluster, world);
  await resync(deps, trigger, { dryRun: false, force: false });
  // Each round lists (the resync's and the one after its writes): the same calls each time.
  expect([...new Set(world.calls)].sort()).toEqual([
    'discover folders/100 redis,valkey',
    'list team-a/- redis',
    'list team-b/- redis',
  ]);
  // a-2 is not indexed yet, but its project is listed: the listing, not the inventory, says what exists.
  expect(owners(cluster)).toEqual(new Set([a1.name, a2.name, b1.name]));
  expect(logs).toContainEqual(
    expect.objectContaining({ scope: 'folders/100', inventoryPages: 1, found: 2, listings: 2 }),
  );
});

test('an instance we hold objects for, in a project the inventory no longer finds, is read on its own', async () => {
  const cluster = new MemoryCluster();
  const world: World = {
    indexed: [a1.name, b1.name],
    live: new Map([
      ['team-a', [a1]],
      ['team-b', [b1]],
    ]),
    calls: [],
    unreadable: new Set(),
  };
  const { deps } = depsOver(SCOPE, cluster, world);
  await resync(deps, trigger, { dryRun: false, force: false });
  // team-b's last instance is deleted and the inventory forgets team-b: b-1 is read, NOT_FOUND, and removed.
  world.indexed = [a1.name];
  world.live.set('team-b', []);
  world.calls = [];
  await resync(deps, trigger, { dryRun: false, force: true });
  expect(world.calls).toContain(`get ${b1.name}`);
  expect(world.calls).not.toContain(`get ${a1.name}`);
  expect(owners(cluster)).toEqual(new Set([a1.name]));
});

test('such an instance that cannot be read (its project left the scope) keeps its objects; one still there stays', async () => {
  const cluster = new MemoryCluster();
  const c1 = instanceIn('c-1', 'team-c', '10.0.0.31');
  const world: World = {
    indexed: [a1.name, b1.name, c1.name],
    live: new Map([
      ['team-a', [a1]],
      ['team-b', [b1]],
      ['team-c', [c1]],
    ]),
    calls: [],
    unreadable: new Set(),
  };
  const { deps, logs } = depsOver(SCOPE, cluster, world);
  await resync(deps, trigger, { dryRun: false, force: false });
  // team-b left the folder (its instance answers 403 now); the inventory lags behind team-c's c-1, which exists.
  world.indexed = [a1.name];
  world.unreadable.add(b1.name);
  await resync(deps, trigger, { dryRun: false, force: true });
  expect(owners(cluster)).toEqual(new Set([a1.name, b1.name, c1.name]));
  expect(logs).toContainEqual(
    expect.objectContaining({ severity: 'WARNING', instance: b1.name, error: expect.stringMatching(/403/) }),
  );
});

test('an inventory that refuses the search fails the resync, naming the scope; nothing is changed', async () => {
  const cluster = new MemoryCluster();
  const world: World = { indexed: [a1.name], live: new Map([['team-a', [a1]]]), calls: [], unreadable: new Set() };
  const { deps } = depsOver(SCOPE, cluster, world);
  await resync(deps, trigger, { dryRun: false, force: false });
  const refusing: SyncDeps = {
    ...deps,
    instances: {
      ...deps.instances,
      discover: async () => {
        throw new PermanentError('search folders/100 in Cloud Asset Inventory: HTTP 403: PERMISSION_DENIED');
      },
    },
  };
  await expect(resync(refusing, trigger, { dryRun: false, force: true })).rejects.toThrow(/folders\/100.*403/);
  expect(owners(cluster)).toEqual(new Set([a1.name]));
});

test('when no project the inventory found can be listed, the resync fails as with a list of projects', async () => {
  const world: World = { indexed: [a1.name, b1.name], live: new Map(), calls: [], unreadable: new Set() };
  const { deps } = depsOver(SCOPE, new MemoryCluster(), world);
  const failing: SyncDeps = {
    ...deps,
    instances: {
      ...deps.instances,
      list: async (project) => {
        throw new PermanentError(`list projects/${project}/locations/-: code 7`);
      },
    },
  };
  await expect(resync(failing, trigger, { dryRun: false, force: false })).rejects.toThrow(/code 7/);
});

test('with a scope, an event of any project is in scope; with a list, only its projects', () => {
  const scoped = { projects: ['test-project'], scope: 'folders/100', locations: ['-'], products: ['redis'] } as const;
  const listed = { projects: ['test-project'], locations: ['-'], products: ['redis'] } as const;
  const name = nameOf('x', 'us-central1', 'team-z');
  expect(outOfScope(name, scoped)).toBeUndefined();
  expect(outOfScope(name, listed)).toMatch(/not MEMORYSTORE_PROJECT/);
});
