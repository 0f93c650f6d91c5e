/**
 * The demo's ambient steps, the procedure the README gives for a mesh moving to ambient. First the declared-mode
 * deployment switches to SYNC_MODE=ambient with AMBIENT_GATEWAY_BRIDGE=true: the next event for the declared instance
 * (team-a updates its declaration) gives it the waypoint's ServiceEntry and policy and keeps the egress gateway's
 * route, so pods still on sidecars and pods already in ambient both reach it. Then, every namespace moved, the bridge
 * goes, and the next event removes the gateway objects and port, make before break (the records show the order).
 * After each, Istio's own code (dev/end-to-end/caller-paths.ts: the sidecar and gateway configuration, walked by
 * Istio's simulator; the ambient index and the waypoint's RBAC) says where a connection of each of four callers goes:
 * a pod of team-a and of team-b, each with a sidecar and in ambient.
 */
import type { PubSub } from '@google-cloud/pubsub';
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { ANNOTATION_INSTANCE_NAME, type KubeObject } from '../../shared/model/k8s-object.js';
import { LABEL_USE_WAYPOINT } from '../../shared/render/render-ambient.js';
import { declarationEntry } from '../../dev/fixtures/k8s-audit-entry.js';
import type { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { serveFunction } from '../../dev/harness/functions-framework/serve-function.js';
import { simulateAmbient, waypointObjects } from '../../dev/harness/istio-sim/ambient.js';
import { ambientPath, sidecarPath } from '../../dev/end-to-end/caller-paths.js';
import { asInput } from '../../dev/harness/istio-sim/index.js';
import { startEventBridge, type EventBridge } from '../../dev/harness/pubsub/event-bridge.js';
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

/** Serves the event function with `env`, in place of the one `previous` delivers to; the records are its lines. */
async function switchTo(
  demo: AmbientDemo,
  env: Readonly<Record<string, string>>,
  previous: EventBridge,
): Promise<{ records: () => AuditRecord[]; bridge: EventBridge }> {
  const fn = await serveFunction('syncOnAuditLog', env);
  demo.stops.push(() => fn.stop());
  await previous.stop();
  const bridge = await startEventBridge({
    client: demo.pubsub,
    subscription: demo.subscription,
    targetUrl: fn.url,
    pubsubHost: demo.pubsubHost,
  });
  demo.stops.push(() => bridge.stop());
  const records = () => fn.lines.filter((l) => l['message'] === 'audit record').map((l) => l['record'] as AuditRecord);
  return { records, bridge };
}

/** team-a updates its declaration, as the Kubernetes audit log reports it: the event that re-renders the instance. */
async function declarationUpdated(demo: AmbientDemo, bridge: EventBridge): Promise<void> {
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
}

export async function demoAmbient(demo: AmbientDemo): Promise<void> {
  const { cluster } = demo;
  heading(
    'Ambient mode, first the bridge: the deployment switches to SYNC_MODE=ambient with AMBIENT_GATEWAY_BRIDGE=true (the waypoint istioctl waypoint apply --enroll-namespace deployed); team-a updates its declaration, and that one event adds the waypoint path beside the gateway route',
  );
  const bridged = await switchTo(
    demo,
    { ...demo.declared.env, SYNC_MODE: 'ambient', AMBIENT_GATEWAY_BRIDGE: 'true' },
    demo.declared.bridge,
  );
  await declarationUpdated(demo, bridged.bridge);
  showRecords(bridged.records());
  await showCallers(cluster, demo.target);

  heading(
    'Ambient mode: every namespace is ambient now, the bridge goes (AMBIENT_GATEWAY_BRIDGE unset); the next event removes the gateway route, make before break',
  );
  const ambient = await switchTo(demo, { ...demo.declared.env, SYNC_MODE: 'ambient' }, bridged.bridge);
  await declarationUpdated(demo, ambient.bridge);
  showRecords(ambient.records());
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
  await showCallers(cluster, demo.target);
}

/**
 * Where a connection of a pod of team-a (declared) and of team-b goes, each with a sidecar and in ambient, asked of
 * Istio's own code on the live objects (dev/end-to-end/caller-paths.ts says what each path means).
 */
async function showCallers(cluster: ClusterView, target: AmbientDemo['target']): Promise<void> {
  const mesh = { objects: [...(await cluster.istioObjects()).values()], services: await cluster.gatewayServices() };
  for (const namespace of ['team-a', 'team-b']) {
    const caller = { namespace, serviceAccount: 'default' };
    const sidecar = await sidecarPath(mesh, caller, target.address, target.port);
    const ambient = await ambientPath(mesh, caller, target.address, target.port);
    say(`${namespace}/default → ${target.address}:${target.port}: with a sidecar: ${sidecar}; in ambient: ${ambient}`);
  }
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
