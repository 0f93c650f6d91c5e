/**
 * The demo's least-access step: the deployment switches to ACCESS_MODE=declared, a team declares one instance through
 * the apiserver, and GKE's k8s.io audit entry for that write (dev/fixtures/k8s-audit-entry.ts: there is no GKE here)
 * reaches syncOnAuditLog through the events topic. Then Istio's own config generation says, for a pod of the declared
 * team and one of an undeclared team, where its connection goes and what the gateway's RBAC filter decides (Envoy's
 * RBAC semantics in dev/end-to-end/envoy-rbac.ts: Istio's simulator does not run it).
 */
import type { PubSub } from '@google-cloud/pubsub';
import type { AuditRecord } from '../../shared/audit/audit-record.js';
import { ACCESS_GROUP, ACCESS_KIND, ACCESS_VERSION } from '../../shared/model/access.js';
import { declarationEntry } from '../../dev/fixtures/k8s-audit-entry.js';
import type { ClusterView } from '../../dev/end-to-end/cluster-view.js';
import { rbacDecision } from '../../dev/end-to-end/envoy-rbac.js';
import { serveFunction } from '../../dev/harness/functions-framework/serve-function.js';
import {
  asInput,
  gatewayPod,
  isBlocked,
  parseOutboundCluster,
  simulate,
  type SimAnswer,
} from '../../dev/harness/istio-sim/index.js';
import { startEventBridge, type EventBridge } from '../../dev/harness/pubsub/event-bridge.js';
import { heading, say, showRecords } from './show.js';
import type { Dialled } from './routes.js';

const GATEWAY_IP = '10.1.0.9';
export const GKE_CLUSTER = 'projects/demo-project/locations/us-central1/clusters/demo';

export interface AccessDemo {
  readonly env: Readonly<Record<string, string>>;
  readonly cluster: ClusterView;
  readonly pubsub: PubSub;
  /** The local Pub/Sub server's host, so the event bridge knows exactly when an event is handled. */
  readonly pubsubHost: string;
  readonly events: string;
  readonly subscription: string;
  /** The open-mode bridge: stopped, so the events reach the declared-mode function only. */
  readonly bridge: EventBridge;
  readonly target: Dialled;
  readonly instance: string;
  readonly stops: Array<() => Promise<unknown>>;
}

async function simulateFrom(cluster: ClusterView, namespace: string, target: Dialled): Promise<SimAnswer> {
  const service = JSON.parse(
    JSON.stringify(
      await cluster.api.read({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'istio-egressgateway', namespace: cluster.namespace },
      }),
    ),
  ) as { metadata: { name: string; namespace: string }; spec: { selector: Record<string, string> } };
  return simulate({
    istio: [...(await cluster.istioObjects()).values()].map(asInput),
    kube: [asInput({ ...service, apiVersion: 'v1', kind: 'Service' }), gatewayPod(service, GATEWAY_IP)],
    sidecar: { namespace },
    gateway: { namespace: cluster.namespace, labels: service.spec.selector, ip: GATEWAY_IP },
    calls: [{ from: 'sidecar', address: target.address, port: target.port }],
  });
}

/** What the ambient step takes over from the least-access step: its function's environment and its bridge. */
export interface DeclaredDeployment {
  readonly env: Readonly<Record<string, string>>;
  readonly bridge: EventBridge;
}

export async function demoAccess(demo: AccessDemo): Promise<DeclaredDeployment> {
  const { cluster, target } = demo;
  heading(
    `Least access: the deployment switches to ACCESS_MODE=declared; team-a declares ${target.label.split(' ')[0]} (kubectl apply -f memorystore-access.yaml), team-b declares nothing`,
  );
  for (const name of ['team-a', 'team-b'])
    await cluster.api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const env = {
    ...demo.env,
    ACCESS_MODE: 'declared',
    // The same cluster under the same name, now with the name GKE's audit entries give it.
    SYNC_CLUSTERS: JSON.stringify([{ name: 'default', kubeconfig: demo.env['KUBECONFIG'], gke: GKE_CLUSTER }]),
  };
  const fn = await serveFunction('syncOnAuditLog', env);
  demo.stops.push(() => fn.stop());
  await demo.bridge.stop();
  const bridge = await startEventBridge({
    client: demo.pubsub,
    subscription: demo.subscription,
    targetUrl: fn.url,
    pubsubHost: demo.pubsubHost,
  });
  demo.stops.push(() => bridge.stop());

  await cluster.api.create({
    apiVersion: `${ACCESS_GROUP}/${ACCESS_VERSION}`,
    kind: ACCESS_KIND,
    metadata: { name: 'caches', namespace: 'team-a' },
    spec: { instances: [demo.instance] },
  });
  const [, project, , location, , name] = GKE_CLUSTER.split('/');
  await demo.pubsub.topic(demo.events).publishMessage({
    json: declarationEntry({
      project: project!,
      location: location!,
      cluster: name!,
      namespace: 'team-a',
      name: 'caches',
      verb: 'create',
      principal: 'bob@example.com',
    }),
  });
  await bridge.idle();
  const records = fn.lines.filter((l) => l['message'] === 'audit record').map((l) => l['record'] as AuditRecord);
  showRecords(records);
  for (const r of records.filter((r) => r.reason?.startsWith('access:')))
    say(`       ${r.instance?.name.split('/').at(-1)}: ${r.reason}`);

  const declared = await simulateFrom(cluster, 'team-a', target);
  const toGateway = parseOutboundCluster(declared.results[0]?.cluster);
  const gatewayPort = toGateway?.port;
  for (const [namespace, answer] of [
    ['team-a', declared],
    ['team-b', await simulateFrom(cluster, 'team-b', target)],
  ] as const) {
    const result = answer.results[0]!;
    const hop = parseOutboundCluster(result.cluster);
    const tls = answer.clusterTls['sidecar']?.[result.cluster ?? '']?.istioMutual ? ' over Istio mutual TLS' : '';
    const route = isBlocked(result)
      ? `blocked (${result.error ?? result.cluster})`
      : `egress gateway :${hop?.port}${tls}`;
    const principal = `spiffe://cluster.local/ns/${namespace}/sa/default`;
    const chains = answer.gatewayChains.filter((c) => c.port === gatewayPort);
    const rbac =
      chains.length === 0
        ? 'no listener'
        : chains.some((c) => rbacDecision(c.rbac ?? [], { port: gatewayPort!, principal }) === 'deny')
          ? 'deny'
          : 'allow';
    say(`${namespace}/default → ${target.address}:${target.port} → ${route}; gateway RBAC on :${gatewayPort}: ${rbac}`);
  }
  return { env, bridge };
}
