import { randomUUID } from 'node:crypto';
import type { ClusterStore } from '../adapters/cluster-store.js';
import type { InstanceSource } from '../adapters/instance-source.js';
import { loadKubeConfig } from '../adapters/kube-config.js';
import { KubeClusterStore } from '../adapters/kube-cluster-store.js';
import { makeRedisClient, MemorystoreInstanceSource } from '../adapters/memorystore-instance-source.js';
import { PubSubAuditPublisher } from '../adapters/pubsub-audit-publisher.js';
import { AuditWriter, type AuditPublisher } from '../audit/audit-writer.js';
import type { Config } from '../config/parse-config.js';
import { Logger } from '../log.js';
import type { SyncDeps } from '../reconcile/sync-deps.js';

/** Builds the dependencies of one invocation. Costly clients are made once per process and reused. */
export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  deps(log: Logger): Promise<SyncDeps>;
}

export interface RuntimeParts {
  readonly instances?: InstanceSource;
  readonly cluster?: () => Promise<ClusterStore>;
  readonly publisher?: AuditPublisher;
  readonly log?: Logger;
}

export function createRuntime(config: Config, parts: RuntimeParts = {}): Runtime {
  const log = parts.log ?? new Logger();
  let instances = parts.instances;
  let publisher = parts.publisher;
  // Kubeconfig credentials do not expire mid-process; a GKE token does, so the store is rebuilt per invocation there.
  let cachedCluster: Promise<ClusterStore> | undefined;
  const cluster =
    parts.cluster ??
    (async (): Promise<ClusterStore> => {
      if (config.kube.kind === 'gke') return new KubeClusterStore(await loadKubeConfig(config.kube), config.ownerId);
      cachedCluster ??= loadKubeConfig(config.kube).then((kc) => new KubeClusterStore(kc, config.ownerId));
      return cachedCluster;
    });
  return {
    config,
    log,
    async deps(invocationLog: Logger): Promise<SyncDeps> {
      instances ??= new MemorystoreInstanceSource(makeRedisClient(config));
      if (config.audit.topic) publisher ??= new PubSubAuditPublisher(config.audit.topic);
      return {
        config,
        instances,
        cluster: await cluster(),
        audit: new AuditWriter(invocationLog, publisher, config.audit.required),
        log: invocationLog,
        clock: { now: () => new Date(), monotonicMs: () => performance.now() },
        newId: randomUUID,
      };
    },
  };
}
