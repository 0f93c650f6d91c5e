/**
 * The demo's ambient step: the declared-mode deployment switches to SYNC_MODE=ambient, and the next event for the
 * declared instance (team-a updates its declaration) moves it to the waypoint, make before break: the records show
 * the waypoint policy written first, then the ServiceEntry's label, then the gateway objects and port going. What the
 * waypoint itself makes of it is not simulated here (Istio's simulator builds sidecar and gateway configuration).
 */
import type { PubSub } from '@google-cloud/pubsub';
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { ANNOTATION_INSTANCE_NAME, type KubeObject } from '../../shared/model/k8s-object.js';
import { LABEL_USE_WAYPOINT } from '../../shared/render/render-ambient.js';
import { declarationEntry } from '../../dev/fixtures/k8s-audit-entry.js';
import type { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { serveFunction } from '../../dev/harness/functions-framework/serve-function.js';
import { startEventBridge } from '../../dev/harness/pubsub/event-bridge.js';
import { heading, say, showRecords } from './show.js';
import type { DeclaredDeployment } from './access-step.js';

export interface AmbientDemo {
  readonly declared: DeclaredDeployment;
  readonly cluster: ClusterView;
  readonly pubsub: PubSub;
  readonly events: string;
  readonly subscription: string;
  readonly instance: string;
  readonly gkeCluster: string;
  readonly stops: Array<() => Promise<unknown>>;
}

/** Who an ambient policy lets through, in words. */
function admitted(policy: KubeObject): string {
  const rules = (policy.spec['rules'] ?? []) as Array<{ from: Array<{ source: Record<string, string[]> }> }>;
  const who = rules.flatMap((r) => r.from.flatMap((f) => Object.values(f.source).flat()));
  return who.length > 0 ? who.join(', ') : 'nobody';
}

export async function demoAmbient(demo: AmbientDemo): Promise<void> {
  const { cluster } = demo;
  heading(
    'Ambient mode: the deployment switches to SYNC_MODE=ambient (the waypoint istioctl waypoint apply --enroll-namespace deployed); team-a updates its declaration, and that one event moves the instance',
  );
  const env = { ...demo.declared.env, SYNC_MODE: 'ambient' };
  const fn = await serveFunction('syncOnAuditLog', env);
  demo.stops.push(() => fn.stop());
  await demo.declared.bridge.stop();
  const bridge = await startEventBridge({ client: demo.pubsub, subscription: demo.subscription, targetUrl: fn.url });
  demo.stops.push(() => bridge.stop());
  const [, project, , location, , name] = demo.gkeCluster.split('/');
  await demo.pubsub.topic(demo.events).publishMessage({
    json: declarationEntry({
      project: project!,
      location: location!,
      cluster: name!,
      namespace: 'team-a',
      name: 'caches',
      verb: 'update',
      principal: 'bob@example.com',
    }),
  });
  await bridge.idle();
  showRecords(fn.lines.filter((l) => l['message'] === 'audit record').map((l) => l['record'] as AuditRecord));
  const objects = [...(await cluster.istioObjects()).values()].filter(
    (o) => o.metadata.annotations?.[ANNOTATION_INSTANCE_NAME] === demo.instance,
  );
  for (const object of objects) {
    const waypoint = object.metadata.labels?.[LABEL_USE_WAYPOINT];
    const detail =
      object.kind === 'ServiceEntry'
        ? `served by waypoint ${object.metadata.namespace}/${waypoint ?? '(none)'}`
        : `ALLOW on its ServiceEntries for ${admitted(object)}`;
    say(`${object.kind}/${object.metadata.name}: ${detail}`);
  }
}
