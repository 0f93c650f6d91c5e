import { randomUUID } from 'node:crypto';
import type { ClusterStore } from '../adapters/cluster-store.js';
import type { InstanceSource } from '../adapters/instance-source.js';
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

/**
 * The Google and Kubernetes clients are loaded on first use, not at start-up: a cold start then costs about what a
 * bare Functions Framework function costs, and an event that is not ours never loads them at all.
 */
async function kubeStore(config: Config): Promise<ClusterStore> {
  const [{ applicationDefaultToken, loadKubeConfig }, { KubeClusterStore }] = await Promise.all([import('../adapters/kube-config.js'), import('../adapters/kube-cluster-store.js')]);
  const outbox = { outboxNamespace: config.istioNamespace };
  if (config.kube.kind === 'kubeconfig') return new KubeClusterStore(await loadKubeConfig(config.kube), config.ownerId, outbox);
  // A GKE access token expires after about an hour: each request asks google-auth-library, which caches and refreshes.
  const bearerToken = async (): Promise<string> => {
    const token = await applicationDefaultToken();
    if (!token) throw new Error('Application Default Credentials gave no access token for the GKE cluster');
    return token;
  };
  return new KubeClusterStore(await loadKubeConfig(config.kube), config.ownerId, { bearerToken, ...outbox });
}

async function memorystoreSource(config: Config): Promise<InstanceSource> {
  const { memorystoreSources } = await import('../adapters/memorystore-sources.js');
  return memorystoreSources(config);
}

async function auditPublisher(topic: string): Promise<AuditPublisher> {
  const { PubSubAuditPublisher } = await import('../adapters/pubsub-audit-publisher.js');
  return new PubSubAuditPublisher(topic);
}

export function createRuntime(config: Config, parts: RuntimeParts = {}): Runtime {
  const log = parts.log ?? new Logger();
  let instances = parts.instances;
  let publisher = parts.publisher;
  // One store per process: its connection pool is reused by every invocation.
  let cachedCluster: Promise<ClusterStore> | undefined;
  const cluster =
    parts.cluster ??
    (async (): Promise<ClusterStore> => {
      // A failed set-up (credentials not ready, say) is not kept: the next invocation tries again.
      cachedCluster ??= kubeStore(config).catch((error: unknown) => {
        cachedCluster = undefined;
        throw error;
      });
      return cachedCluster;
    });
  return {
    config,
    log,
    async deps(invocationLog: Logger): Promise<SyncDeps> {
      instances ??= await memorystoreSource(config);
      if (config.audit.topic) publisher ??= await auditPublisher(config.audit.topic);
      const store = await cluster();
      const outbox = store.auditOutbox?.();
      return {
        config,
        instances,
        cluster: store,
        audit: new AuditWriter(invocationLog, publisher, config.audit.required, outbox),
        log: invocationLog,
        clock: { now: () => new Date(), monotonicMs: () => performance.now() },
        newId: randomUUID,
      };
    },
  };
}
