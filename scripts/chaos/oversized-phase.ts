import type { PubSub, Subscription } from '@google-cloud/pubsub';
import { ConfigMapOutbox } from '../../shared/adapters/kube/configmap-outbox.js';
import { KubeHttp } from '../../shared/adapters/kube/kube-http.js';
import { kubeConfigEndpoint } from '../../shared/adapters/kube/kubeconfig-endpoint.js';
import { PubSubAuditPublisher } from '../../shared/adapters/pubsub-audit-publisher.js';
import { outboxName } from '../../shared/audit/audit-outbox.js';
import { recordOf, type AuditRecord } from '../../shared/audit/audit-record.js';
import { AuditWriter } from '../../shared/audit/audit-writer.js';
import { Logger } from '../../shared/log.js';
import type { Change } from '../../shared/plan/plan-types.js';
import { createEgressGatewayFixtures } from '../../dev/harness/control-plane/fixtures.js';
import { loadKubeconfig } from '../../dev/harness/control-plane/kubeconfig.js';
import { PROJECT, type SharedParts } from './chaos-stack.js';
import type { PhaseRow } from './figures.js';

const HUGE = 'x'.repeat(1024 * 1024);

/** A create whose patch has `operations` fields of ~120 bytes: 5,000 is the Service ports of thousands of instances. */
function change(name: string, operations: number): Change {
  const spec: Record<string, string> = {};
  for (let i = 0; i < operations; i++) spec[`port-${i}`] = `tcp-instance-${i}-${'p'.repeat(90)}`;
  return {
    target: 'object',
    action: 'create',
    ref: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: 'n', name },
    instance: `projects/chaos-project/locations/us-central1/instances/${name}`,
    after: { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace: 'n' }, spec },
  };
}

/** Records of one round: events whose insertId and principal are 1 MB each, and patches of up to ~1.3 MB. */
function records(round: string): AuditRecord[] {
  const trigger = {
    kind: 'event' as const,
    eventId: `${round}-${HUGE}`,
    insertId: HUGE,
    methodName: 'google.cloud.redis.v1.CloudRedis.CreateInstance',
    principal: `${HUGE}@example.com`,
  };
  const sizes = [...Array<number>(20).fill(1), 2_000, 5_000, 11_000];
  return sizes.map((operations, i) =>
    recordOf(change(`${round}-${i}`, operations), {
      id: `${round}-${i}`,
      time: new Date(),
      trigger,
      dryRun: false,
      instances: new Map(),
    }),
  );
}

function collect(subscription: Subscription, into: Set<string>): void {
  subscription.on('message', (message) => {
    into.add((JSON.parse(message.data.toString('utf8')) as AuditRecord).id);
    message.ack();
  });
}

async function quiet(seen: Set<string>): Promise<void> {
  for (let count = -1; count !== seen.size;) {
    count = seen.size;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function topicWithReader(pubsub: PubSub, name: string, reader: string, seen: Set<string>): Promise<string> {
  const [topic] = await pubsub.createTopic(name);
  const [subscription] = await topic.createSubscription(reader, { ackDeadlineSeconds: 60 });
  collect(subscription, seen);
  return topic.name;
}

/** Whether the log holds the whole record: every part of its patch, or its one line. */
function wholeInLog(lines: readonly string[], id: string): boolean {
  const parts = new Set<number>();
  let count = 1;
  for (const line of lines) {
    const entry = JSON.parse(line) as {
      message?: string;
      record?: { id?: string };
      patch_part?: { index: number; count: number };
    };
    if (entry.message !== 'audit record' || entry.record?.id !== id) continue;
    parts.add(entry.patch_part?.index ?? 1);
    count = entry.patch_part?.count ?? 1;
  }
  return parts.size === count && parts.size > 0;
}

/**
 * Huge fields and records through the publisher and the outbox: with the audit topic up, then gone (the records go
 * to the outbox, whose cap refuses the largest), then back (the next flush publishes the outbox). A record is lost
 * when it is neither on the topic nor whole in the log; no log line may pass Cloud Logging's 256 KB entry limit.
 */
export async function oversizedPhase(parts: SharedParts, name: string): Promise<PhaseRow> {
  const started = Date.now();
  const admin = parts.controlPlane.adminKubeconfigPath;
  await createEgressGatewayFixtures(admin, { namespace: name, service: 'istio-egressgateway' });
  const lines: string[] = [];
  const log = new Logger({}, (line) => void lines.push(line));
  const outbox = new ConfigMapOutbox(
    new KubeHttp(kubeConfigEndpoint(loadKubeconfig(admin))),
    name,
    outboxName('oversized'),
    'oversized',
  );
  const onTopic = new Set<string>();
  const topicName = await topicWithReader(parts.pubsub, `${name}-audit`, `${name}-reader-1`, onTopic);
  const writer = new AuditWriter(
    log,
    new PubSubAuditPublisher(topicName, { project: PROJECT, emulatorHost: parts.pubsubHost }),
    false,
    outbox,
  );

  const up = records('up');
  await writer.write(up);
  await parts.pubsub.topic(topicName).delete();
  const down = records('down');
  await writer.write(down);
  await topicWithReader(parts.pubsub, `${name}-audit`, `${name}-reader-2`, onTopic);
  await writer.flush();
  await quiet(onTopic);

  const all = [...up, ...down];
  const lost = all.filter((r) => !onTopic.has(r.id) && !wholeInLog(lines, r.id));
  const onlyInLog = all.filter((r) => !onTopic.has(r.id)).length;
  process.stderr.write(`chaos: ${name}: ${onlyInLog} record(s) too large for the outbox are in the log only\n`);
  return {
    phase: name,
    seconds: Math.round((Date.now() - started) / 1000),
    events: all.length,
    lostRecords: lost.length,
    maxLogLine: Math.max(...lines.map((line) => Buffer.byteLength(line))),
  };
}
