/**
 * One reconcile that kills its own process (SIGKILL, as the platform or an OOM does) right after its Nth write to the
 * apiserver returns, before anything else runs: whatever it logged is what a crash at that point leaves. Run by
 * crash-at-every-step.ts as `node crash-child.js '<CrashChildInput JSON>'`; exits 0 when it ran to the end.
 */
import { randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import type { ClusterStore } from '../../shared/adapters/cluster-store.js';
import { AuditWriter } from '../../shared/audit/audit-writer.js';
import { Logger } from '../../shared/log.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import { syncInstances } from '../../shared/reconcile/sync.js';
import { toRedisInstance } from '../../shared/products/redis/mapper.js';
import { testSync } from '../fixtures/settings.js';

export interface CrashChildInput {
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly ownerId: string;
  /** Instance ids; each a READY Redis instance at 10.9.0.<n>:6379. */
  readonly instances: readonly string[];
  readonly project: string;
  /** Instance ids deleted from the API: their objects are removed. */
  readonly gone?: readonly string[];
  /** The instances' addresses are <hostPrefix><n> (default 10.9.0.): another prefix re-addresses them all. */
  readonly hostPrefix?: string;
  /** Kill the process after this many writes; 0: never. */
  readonly killAfter: number;
}

const WRITES: ReadonlySet<string> = new Set(['create', 'replace', 'delete', 'applyServicePorts']);

/** The store, with the process killed once its Nth write has returned. */
function killingAfter(store: ClusterStore, writes: number): ClusterStore {
  let done = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || !WRITES.has(String(property))) return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (++done === writes) process.kill(process.pid, 'SIGKILL');
        return result;
      };
    },
  });
}

async function main(input: CrashChildInput): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(input.kubeconfig);
  const settings = testSync({
    MEMORYSTORE_PROJECT: input.project,
    ISTIO_NAMESPACE: input.namespace,
    EGRESS_GATEWAY_NAMESPACE: input.namespace,
    OWNER_ID: input.ownerId,
  });
  const store = new KubeClusterStore(kubeConfig, input.ownerId);
  const cluster = input.killAfter > 0 ? killingAfter(store, input.killAfter) : store;
  const log = new Logger();
  const scope = input.instances.map((id, i) => {
    const full = `projects/${input.project}/locations/us-central1/instances/${id}`;
    const instance = toRedisInstance({
      name: full,
      state: 'READY',
      host: `${input.hostPrefix ?? '10.9.0.'}${i + 1}`,
      port: 6379,
    });
    return { name: parseInstanceName(full)!, instance };
  });
  const gone = (input.gone ?? []).map((id) => ({
    name: parseInstanceName(`projects/${input.project}/locations/us-central1/instances/${id}`)!,
  }));
  const run = await syncInstances(
    {
      settings,
      cluster,
      log,
      audit: new AuditWriter(log),
      instances: { get: async () => undefined, list: async () => ({ instances: [], unreachable: [] }) },
      clock: { now: () => new Date(), monotonicMs: () => performance.now() },
      newId: randomUUID,
    },
    [...scope, ...gone],
    { kind: 'resync', principal: 'crash-test@example.com', scheduled: false },
    { dryRun: false },
  );
  if (run.errors.length > 0) throw new Error(`instances failed: ${JSON.stringify(run.errors).slice(0, 2000)}`);
}

main(JSON.parse(process.argv[2] ?? '{}') as CrashChildInput).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
