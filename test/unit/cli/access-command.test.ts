import { accessCommand, accessLines } from '../../../shared/cli/access-command.js';
import { parseCli } from '../../../shared/cli/cli-args.js';
import { explainCommand } from '../../../shared/cli/explain-command.js';
import { Logger } from '../../../shared/log.js';
import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import type { AccessDeclaration } from '../../../shared/model/access.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { testSync } from '../../../dev/fixtures/settings.js';
import { readyInstance } from '../../fixtures/instances.js';
import { MemoryCluster } from '../../fixtures/memory-cluster.js';

/** `access INSTANCE NS/SA` and explain's "who may reach it", from the declarations, with the one that grants. */
class DeclaringCluster extends MemoryCluster {
  constructor(readonly declarations: AccessDeclaration[]) {
    super();
  }
  async listAccessDeclarations(): Promise<{ declarations: AccessDeclaration[]; malformed: string[] }> {
    return { declarations: this.declarations, malformed: [] };
  }
}

const cache = readyInstance('cache', { labels: { team: 'payments' } });
const declarations: AccessDeclaration[] = [
  {
    namespace: 'shop',
    name: 'checkout',
    instances: [],
    selector: [{ key: 'team', op: 'equals', value: 'payments' }],
    serviceAccounts: ['checkout'],
  },
  { namespace: 'billing', name: 'all', instances: [cache.name], selector: [], serviceAccounts: [] },
];

function depsFor(env: Record<string, string>): { deps: SyncDeps } {
  const settings = testSync({ MEMORYSTORE_LOCATIONS: 'us-central1', ...env });
  const log = new Logger({}, () => undefined);
  const deps: SyncDeps = {
    settings,
    cluster: new DeclaringCluster(declarations),
    log,
    audit: new AuditWriter(log, { publish: async () => undefined }),
    instances: { get: async () => cache, list: async () => ({ instances: [cache], unreachable: [] }) },
    clock: { now: () => new Date('2026-12-07T10:00:00Z'), monotonicMs: () => 0 },
    newId: () => 'id',
  };
  return { deps };
}

describe('access INSTANCE NS/SA', () => {
  const { deps } = depsFor({ ACCESS_MODE: 'declared' });

  test('yes, naming the declaration that grants it', async () => {
    const answer = await accessCommand(deps, 'cache', 'shop/checkout');
    expect(answer).toMatchObject({
      allowed: true,
      because: 'granted by MemorystoreAccess shop/checkout (service accounts checkout, by labels)',
    });
    expect((await accessCommand(deps, 'cache', 'billing/anyone')).because).toBe(
      'granted by MemorystoreAccess billing/all (the whole namespace, by identity)',
    );
  });

  test('no, for another service account of a declaring namespace, or another namespace', async () => {
    expect(await accessCommand(deps, 'cache', 'shop/cart')).toMatchObject({
      allowed: false,
      because: 'no MemorystoreAccess in shop names this instance for cart',
    });
    expect((await accessCommand(deps, 'cache', 'search/api')).allowed).toBe(false);
  });

  test('open mode answers from SERVICE_ENTRY_EXPORT_TO', async () => {
    const open = depsFor({ SERVICE_ENTRY_EXPORT_TO: 'shop' });
    expect((await accessCommand(open.deps, 'cache', 'shop/cart')).allowed).toBe(true);
    expect((await accessCommand(open.deps, 'cache', 'search/api')).allowed).toBe(false);
  });

  test('the command line takes the instance and the caller', () => {
    const parsed = parseCli(['access', 'cache', 'shop/checkout'], {});
    expect(parsed).toMatchObject({
      ok: true,
      request: { command: 'access', instance: 'cache', caller: 'shop/checkout' },
    });
    expect(parseCli(['access', 'cache'], {})).toMatchObject({ ok: false, exitCode: 2 });
  });
});

test('explain lists who may reach the instance, and why', async () => {
  const { deps } = depsFor({ ACCESS_MODE: 'declared' });
  const trigger = { kind: 'resync', principal: 'cli:test', scheduled: false } as const;
  const explained = await explainCommand(deps, 'cache', trigger);
  expect(accessLines(explained.access!.grants)).toBe(
    'who may reach it (ACCESS_MODE=declared):\n' +
      '  shop/checkout: MemorystoreAccess shop/checkout (by labels)\n' +
      '  every workload of namespace billing: MemorystoreAccess billing/all (by identity)\n',
  );
  const open = depsFor({});
  expect((await explainCommand(open.deps, 'cache', trigger)).access).toBeUndefined();
});
