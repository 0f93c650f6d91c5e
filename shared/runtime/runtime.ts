import { randomUUID } from 'node:crypto';
import type { ClusterStore } from '../adapters/cluster-store.js';
import type { InstanceSource } from '../products/instance-source.js';
import { AuditWriter, type AuditPublisher } from '../audit/audit-writer.js';
import { forCluster, type ClusterTarget, type Config } from '../config/parse-config.js';
import { Logger } from '../log.js';
import type { PubSubEventRepublisher, TopicMessage } from '../adapters/pubsub-event-republisher.js';
import type { SyncDeps } from '../reconcile/sync-deps.js';

/** Builds the dependencies of one invocation. Costly clients are made once per process and reused. */
export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  /** What a sync of one cluster (default: the first) needs, with the configuration narrowed to that cluster. */
  deps(log: Logger, target?: ClusterTarget): Promise<SyncDeps>;
  /** Publishes a message to EVENT_TOPIC (the part of an event left to retry); returns its message id. */
  republish(message: TopicMessage): Promise<string>;
}

export interface RuntimeParts {
  readonly instances?: InstanceSource;
  readonly cluster?: (target: ClusterTarget) => Promise<ClusterStore>;
  readonly publisher?: AuditPublisher;
  readonly republisher?: { publish(message: TopicMessage): Promise<string> };
  readonly log?: Logger;
}

/**
 * The Google and Kubernetes clients are loaded on first use, not at start-up: a cold start then costs about what a
 * bare Functions Framework function costs, and an event that is not ours never loads them at all.
 */
async function kubeStore(config: Config): Promise<ClusterStore> {
  const [{ clusterEndpoint }, { KubeClusterStore }] = await Promise.all([
    import('../adapters/kube-config.js'),
    import('../adapters/kube-cluster-store.js'),
  ]);
  const outbox = { outboxNamespace: config.istioNamespace };
  return new KubeClusterStore(await clusterEndpoint(config.kube), config.ownerId, outbox);
}

async function memorystoreSource(config: Config): Promise<InstanceSource> {
  const { memorystoreSources } = await import('../adapters/memorystore-sources.js');
  return memorystoreSources(config);
}

async function eventRepublisher(topic: string): Promise<PubSubEventRepublisher> {
  const { PubSubEventRepublisher } = await import('../adapters/pubsub-event-republisher.js');
  return new PubSubEventRepublisher(topic);
}

async function auditPublisher(topic: string): Promise<AuditPublisher> {
  const { PubSubAuditPublisher } = await import('../adapters/pubsub-audit-publisher.js');
  return new PubSubAuditPublisher(topic);
}

/** One store per cluster and process: its connection pool is reused by every invocation. */
function storeCache(config: Config): (target: ClusterTarget) => Promise<ClusterStore> {
  const stores = new Map<string, Promise<ClusterStore>>();
  return async (target) => {
    const cached = stores.get(target.name);
    if (cached) return cached;
    // A failed set-up (credentials not ready, say) is not kept: the next invocation tries again.
    const store = kubeStore(forCluster(config, target)).catch((error: unknown) => {
      stores.delete(target.name);
      throw error;
    });
    stores.set(target.name, store);
    return store;
  };
}

export function createRuntime(config: Config, parts: RuntimeParts = {}): Runtime {
  const log = parts.log ?? new Logger();
  let instances = parts.instances;
  let publisher = parts.publisher;
  let republisher = parts.republisher;
  const cluster = parts.cluster ?? storeCache(config);
  return {
    config,
    log,
    async republish(message) {
      if (!config.eventTopic) throw new Error('internal: nothing to publish to without EVENT_TOPIC');
      republisher ??= await eventRepublisher(config.eventTopic);
      return republisher.publish(message);
    },
    async deps(invocationLog: Logger, target = config.clusters[0]!): Promise<SyncDeps> {
      instances ??= await memorystoreSource(config);
      if (config.audit.topic) publisher ??= await auditPublisher(config.audit.topic);
      const store = await cluster(target);
      const outbox = store.auditOutbox?.();
      const clusterLog = invocationLog.with({ labels: { cluster: target.name } });
      return {
        config: forCluster(config, target),
        clusterName: target.name,
        instances,
        cluster: store,
        audit: new AuditWriter(clusterLog, publisher, config.audit.required, outbox),
        log: clusterLog,
        clock: { now: () => new Date(), monotonicMs: () => performance.now() },
        newId: randomUUID,
      };
    },
  };
}
