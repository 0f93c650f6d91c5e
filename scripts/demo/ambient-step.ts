/**
 * The demo's ambient step: the declared-mode deployment switches to SYNC_MODE=ambient, and the next event for the
 * declared instance (team-a updates its declaration) moves it to the waypoint, make before break: the records show
 * the waypoint policy written first, then the ServiceEntry's label, then the gateway objects and port going. Then
 * Istio's own ambient index and waypoint config (dev/harness/istio-sim/ambient.ts), given the live objects, say
 * whether the address goes through the waypoint and what its RBAC decides for a pod of team-a and of team-b.
 */
import type { PubSub } from '@google-cloud/pubsub';
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { ANNOTATION_INSTANCE_NAME, type KubeObject } from '../../shared/model/k8s-object.js';
import { LABEL_USE_WAYPOINT } from '../../shared/render/render-ambient.js';
import { declarationEntry } from '../../dev/fixtures/k8s-audit-entry.js';
import type { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { serveFunction } from '../../dev/harness/functions-framework/serve-function.js';
import { simulateAmbient, waypointObjects } from '../../dev/harness/istio-sim/ambient.js';
import { asInput } from '../../dev/harness/istio-sim/index.js';
import { startEventBridge } from '../../dev/harness/pubsub/event-bridge.js';
import { heading, say, showRecords } from './show.js';
import type { DeclaredDeployment } from './access-step.js';

export interface AmbientDemo {
  readonly declared: DeclaredDeployment;
  readonly cluster: ClusterView;
  readonly pubsub: PubSub;
  /** The local Pub/Sub server's host, so the event bridge knows exactly when an event is handled. */
  readonly pubsubHost: string;
  readonly events: string;
  readonly subscription: string;
  readonly instance: string;
  /** The instance's address, as a pod dials it. */
  readonly target: { readonly address: string; readonly port: number };
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
  const bridge = await startEventBridge({
    client: demo.pubsub,
    subscription: demo.subscription,
    targetUrl: fn.url,
    pubsubHost: demo.pubsubHost,
  });
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
  await showWaypointVerdicts(cluster, demo.target);
}

/** What Istio's ambient index and waypoint make of the live objects, for a pod of team-a and one of team-b. */
async function showWaypointVerdicts(cluster: ClusterView, target: AmbientDemo['target']): Promise<void> {
  const waypoint = { namespace: cluster.namespace, name: 'waypoint', ip: '10.1.0.30' };
  const istio = [...(await cluster.istioObjects()).values()].map(asInput);
  const teams = ['team-a', 'team-b'];
  const answer = await simulateAmbient({
    istio,
    kube: [
      ...[cluster.namespace, ...teams].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      ...waypointObjects(cluster.namespace, waypoint.ip, '10.96.0.30'),
    ],
    waypoint,
    lookups: [target.address],
    calls: teams.map((team) => ({ ...target, principal: `spiffe://cluster.local/ns/${team}/sa/default` })),
  });
  const served = answer.lookups[0]?.waypoint;
  say(
    `Istio's ambient index: ${target.address} is ${served ? `served through ${served}` : 'not served by a waypoint'}`,
  );
  for (const [k, team] of teams.entries()) {
    const call = answer.calls[k];
    say(`${team}/default → ${target.address}:${target.port} → waypoint RBAC: ${call?.decision ?? call?.error}`);
  }
}
