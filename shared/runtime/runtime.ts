import { randomUUID } from 'node:crypto';
import type { ClusterStore } from '../adapters/cluster-store.js';
import type { InstanceSource } from '../products/instance-source.js';
import { AuditWriter, type AuditPublisher } from '../audit/audit-writer.js';
import type { ClusterTarget, MemorystoreSettings, ProcessSettings, Settings } from '../config/settings.js';
import { Logger } from '../log.js';
import type { PubSubEventRepublisher, TopicMessage } from '../adapters/pubsub-event-republisher.js';
import type { SyncDeps } from '../reconcile/sync-deps.js';
import { InStepMarks } from '../clusters/in-step-marks.js';

/** Builds the dependencies of one invocation. Costly clients are made once per process and reused. */
export interface Runtime {
  readonly settings: Settings;
  readonly log: Logger;
  /** What a sync of one cluster (default: the first) needs: the process's settings, that cluster's, the clients. */
  deps(log: Logger, target?: ClusterTarget): Promise<SyncDeps>;
  /** Publishes a message to EVENT_TOPIC (the part of an event left to retry); returns its message id. */
  republish(message: TopicMessage): Promise<string>;
  /** The clusters recent events were brought in step with by this process, so a redelivery skips them. */
  readonly inStep?: InStepMarks;
  /** The Memorystore APIs of the enabled products, made once per process. */
  instances(): Promise<InstanceSource>;
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
async function kubeStore(target: ClusterTarget, settings: ProcessSettings): Promise<ClusterStore> {
  const [{ applicationDefaultToken, clusterEndpoint }, { KubeClusterStore }] = await Promise.all([
    import('../adapters/kube-config.js'),
    import('../adapters/kube-cluster-store.js'),
  ]);
  const endpoint = await clusterEndpoint(target.kube, applicationDefaultToken(settings.project));
  // A connection per write in flight: an HTTP/1.1 connection carries one request at a time.
  return new KubeClusterStore(endpoint, settings.ownerId, {
    outboxNamespace: target.istioNamespace,
    connections: settings.writesInFlight,
  });
}

async function memorystoreSource(settings: MemorystoreSettings): Promise<InstanceSource> {
  const { memorystoreSources } = await import('../adapters/memorystore-sources.js');
  return memorystoreSources(settings);
}

async function eventRepublisher(topic: string, project: string): Promise<PubSubEventRepublisher> {
  const [{ PubSubEventRepublisher }, { pubSubTargetOf }] = await Promise.all([
    import('../adapters/pubsub-event-republisher.js'),
    import('../adapters/pubsub-rest.js'),
  ]);
  return new PubSubEventRepublisher(topic, pubSubTargetOf(project));
}

async function auditPublisher(topic: string, project: string): Promise<AuditPublisher> {
  const [{ PubSubAuditPublisher }, { pubSubTargetOf }] = await Promise.all([
    import('../adapters/pubsub-audit-publisher.js'),
    import('../adapters/pubsub-rest.js'),
  ]);
  return new PubSubAuditPublisher(topic, pubSubTargetOf(project));
}

/** One store per cluster and process: its connection pool is reused by every invocation. */
function storeCache(settings: ProcessSettings): (target: ClusterTarget) => Promise<ClusterStore> {
  const stores = new Map<string, Promise<ClusterStore>>();
  return async (target) => {
    const cached = stores.get(target.name);
    if (cached) return cached;
    // A failed set-up (credentials not ready, say) is not kept: the next invocation tries again.
    const store = kubeStore(target, settings).catch((error: unknown) => {
      stores.delete(target.name);
      throw error;
    });
    stores.set(target.name, store);
    return store;
  };
}

export function createRuntime(settings: Settings, parts: RuntimeParts = {}): Runtime {
  const { process: processWide } = settings;
  const log = parts.log ?? new Logger();
  let instances = parts.instances;
  let publisher = parts.publisher;
  let republisher = parts.republisher;
  const cluster = parts.cluster ?? storeCache(processWide);
  const instanceSource = async (): Promise<InstanceSource> => (instances ??= await memorystoreSource(processWide));
  return {
    settings,
    log,
    inStep: new InStepMarks(),
    async republish(message) {
      if (!processWide.eventTopic) throw new Error('internal: nothing to publish to without EVENT_TOPIC');
      republisher ??= await eventRepublisher(processWide.eventTopic, processWide.project);
      return republisher.publish(message);
    },
    instances: instanceSource,
    async deps(invocationLog: Logger, target = settings.clusters[0]): Promise<SyncDeps> {
      const source = await instanceSource();
      if (processWide.audit.topic) publisher ??= await auditPublisher(processWide.audit.topic, processWide.project);
      const store = await cluster(target);
      const outbox = store.auditOutbox?.();
      const clusterLog = invocationLog.with({ labels: { cluster: target.name } });
      return {
        settings: { process: processWide, cluster: target },
        clusterName: target.name,
        instances: source,
        cluster: store,
        audit: new AuditWriter(clusterLog, publisher, processWide.audit.required, outbox),
        log: clusterLog,
        clock: { now: () => new Date(), monotonicMs: () => performance.now() },
        newId: randomUUID,
      };
    },
  };
}
