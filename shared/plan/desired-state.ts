import { endpointsOf, type Endpoint, type MemorystoreInstance, type NodePorts } from '../model/instance.js';
import { type InstanceName } from '../products/instance-name.js';
import { PRODUCT_INFO } from '../products/registry.js';
import { NO_ACCESS, type InstanceAccess } from '../model/access.js';
import { instanceNameOf, type KubeObject } from '../model/k8s-object.js';
import { renderDirect, renderEgress, type RoutedEndpoint } from '../render/render-instance.js';
import { renderNodePorts } from '../render/render-node-ports.js';
import { renderAmbient } from '../render/render-ambient.js';
import type { RenderSettings } from '../render/render-settings.js';
import { allocationKey } from './allocate-ports.js';
import { portBlocksOf, type PortBlocks } from '../config/gateway-services.js';
import { gatewayPorts } from './gateway-ports.js';
import type { InstanceError } from './plan-types.js';
import { selects, type LabelRequirement } from '../model/label-selector.js';
import { networkScope } from './network-scope.js';
import { withQuarantine, type Quarantine } from './port-quarantine.js';
import type { GatewayServiceState, PortOwner, ServicePort } from './service-ports.js';

/** An instance the plan covers, as the Memorystore API reported it; no `instance` means it is gone. */
export interface InstanceObservation {
  readonly name: InstanceName;
  readonly instance?: MemorystoreInstance;
}

export interface SyncInput {
  readonly scope: readonly InstanceObservation[];
  /** Every object this deployment owns (all instances): ports held by instances out of scope stay reserved. */
  readonly owned: readonly KubeObject[];
  /** Our ports' Services as one: every port of each, for the allocator (port-services.ts). */
  readonly gatewayService?: GatewayServiceState;
  /** The same Services one by one, the egress gateway Service first: where each port is now. */
  readonly portServices?: readonly GatewayServiceState[];
  /** The blocks whose Service was read, when an event read only some (config/gateway-services.ts); unset: all. */
  readonly portBlocksRead?: readonly number[];
  /**
   * `complete`: `owned` holds every object of this deployment (a resync), so a Service port of ours that no live
   * object accounts for is stray and freed. `scope`: `owned` holds only the objects of the instances in scope (an
   * event), so the Service's other ports of ours belong to instances not read: they are kept and never handed out.
   */
  readonly view?: 'complete' | 'scope';
  /**
   * Instances one of whose objects would clash with an object this deployment does not own. Nothing of theirs is
   * written: half an instance's configuration (a Gateway without its ServiceEntry) is worse than none.
   */
  readonly blocked?: ReadonlySet<string>;
  /** Freed gateway ports are held back this long before another instance may have them (port-quarantine.ts). */
  readonly quarantine?: Quarantine;
  /**
   * ACCESS_MODE=declared: who may reach each instance in scope, by its identity (`InstanceName.full`); an instance
   * missing from the map is reachable by no one. Unset: open mode, rendered as before.
   */
  readonly access?: ReadonlyMap<string, InstanceAccess>;
  readonly settings: RenderSettings & {
    readonly gatewayPortRange: { readonly from: number; readonly to: number };
    readonly instanceSelector?: readonly LabelRequirement[];
    /** The VPC networks the cluster's pods reach (CLUSTER_NETWORKS); unset, no instance is checked against them. */
    readonly networks?: readonly string[];
  };
}

export interface DesiredState {
  /** Objects of the instances in scope that are rendered. */
  readonly desired: readonly KubeObject[];
  /** Instances in scope whose live objects are reconciled: rendered ones and removed ones. */
  readonly reconciled: ReadonlySet<string>;
  /** Instances whose live objects are left as they are, with why. */
  readonly kept: ReadonlyMap<string, string>;
  /** Instances this mode cannot configure, with why: nothing of theirs is written, and live objects of theirs go. */
  readonly unsupported: ReadonlyMap<string, string>;
  /**
   * Instances some new need of which (an endpoint added) the gateway port range cannot hold, with why: each is kept as
   * it is (its live objects and ports), reported as an error and recorded, so the refusal can be counted.
   */
  readonly refused: ReadonlyMap<string, string>;
  readonly errors: readonly InstanceError[];
  /**
   * Our ports on the egress gateway Service as read and as the plan ends with them; `owners`: each port the plan
   * keeps or gives out for an instance, with that instance.
   */
  readonly servicePorts?: {
    readonly before: readonly ServicePort[];
    readonly after: readonly ServicePort[];
    readonly owners: readonly PortOwner[];
    /** The ports of instances rendered by this plan: on their block's Service, whatever Service holds them now. */
    readonly placed: ReadonlySet<number>;
  };
}

type Decision =
  | { kind: 'render'; endpoints: readonly Endpoint[]; nodePorts?: NodePorts | undefined; sharded: boolean }
  | { kind: 'remove' }
  | { kind: 'keep'; reason: string }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'error'; error: InstanceError };

/**
 *   instance                      live objects   decision
 *   gone (NOT_FOUND, not listed)  any            remove its objects
 *   labels not selected           any            remove its objects (INSTANCE_LABEL_SELECTOR: not for this mesh)
 *   on no network of the cluster  any            unsupported: skipped with the reason, its objects removed
 *   a name clashes (blocked)      any            keep them as they are; the clash is reported
 *   DELETING                      any            keep them as they are (none are created)
 *   data the objects cannot hold  any            error, not retryable: live objects kept as they are (so is
 *     one in several networks where the cluster names none: network-scope.ts)
 *   no primary address yet        any            error, retryable: it is still being created
 *   sharded, egress-gateway mode  any            unsupported: skipped with the reason, its objects removed
 *   sharded, direct/ambient mode  any            as below; with SHARDED_NODE_PORTS its node ports are rendered too
 *   not settled (READY/ACTIVE)    some           keep them until it settles
 *   settled, or not settled       none           render from its current endpoints
 */
const BLOCKED_REASON =
  'an object of this instance has the name of an object this deployment does not own: nothing of the instance is written until the clash is resolved';

/**
 * Plain TCP through one egress gateway needs a gateway port per destination IP:port, and a sharded target redirects
 * clients to node addresses and ports that the API does not list: a gateway route can be written for the discovery
 * endpoint only, which is half a configuration (clients would find the shards and fail to reach them).
 */
export const SHARDED_IN_GATEWAY_MODE =
  'a sharded target (cluster mode) cannot be routed through the egress gateway as plain TCP: its clients are redirected to node addresses the API does not list. Nothing is written for it; use SYNC_MODE=direct or ambient, or exclude its address range from sidecar capture (traffic.sidecar.istio.io/excludeOutboundIPRanges)';

/**
 * The Redis Cluster resource as the project reads it (v1 `Cluster`, as @google-cloud/redis-cluster 0.6.1's proto
 * defines it) has no labels, so a selector could only ever drop a cluster unseen: it is reported instead, once per
 * cluster, and its objects go as an unselected instance's do.
 */
const LABELS_UNREADABLE =
  "INSTANCE_LABEL_SELECTOR is set, and this product's resource does not report labels (Redis Cluster's v1 Cluster, as @google-cloud/redis-cluster 0.6.1 defines it): the instance cannot be selected, so nothing is written for it";

function decide(
  observation: InstanceObservation,
  hasLive: boolean,
  blocked: boolean,
  settings: SyncInput['settings'],
): Decision {
  const { instance } = observation;
  const selector = settings.instanceSelector ?? [];
  if (instance && selector.length > 0 && !PRODUCT_INFO[observation.name.product].labelsReadable)
    return { kind: 'unsupported', reason: LABELS_UNREADABLE };
  if (!instance || !selects(settings.instanceSelector ?? [], instance.labels)) return { kind: 'remove' };
  const reach = networkScope(instance, settings.networks);
  if (reach.kind === 'unreachable') return { kind: 'unsupported', reason: reach.reason };
  if (blocked) return { kind: 'keep', reason: BLOCKED_REASON };
  return decideListed(observation.name, reach.instance, hasLive, settings.mode);
}

/** An instance the API has, that this deployment may configure. */
function decideListed(
  name: InstanceName,
  instance: MemorystoreInstance,
  hasLive: boolean,
  mode: SyncInput['settings']['mode'],
): Decision {
  // Nothing new is written for an instance on its way out: a reconcile that read it while DELETING and writes after
  // the deletion's own event has been handled would leave objects no later event removes.
  if (instance.phase === 'deleting')
    return {
      kind: 'keep',
      reason: 'instance is DELETING: nothing new is written for it; its objects go when it is gone',
    };
  // Data the objects cannot hold: that instance alone is refused, before anything is rendered.
  if (instance.invalid)
    return { kind: 'error', error: { instance: instance.name, message: instance.invalid, retryable: false } };
  const endpoints = endpointsOf(instance);
  if (!endpoints) {
    const message = `instance is ${instance.state} and has no endpoint yet`;
    return { kind: 'error', error: { instance: instance.name, message, retryable: true } };
  }
  if (instance.sharded && mode === 'egress-gateway') return { kind: 'unsupported', reason: SHARDED_IN_GATEWAY_MODE };
  const ready = PRODUCT_INFO[name.product].readyState;
  if (instance.phase !== 'ready' && hasLive)
    return { kind: 'keep', reason: `instance is ${instance.state}: current config kept until it is ${ready}` };
  return { kind: 'render', endpoints, nodePorts: instance.nodePorts, sharded: instance.sharded === true };
}

/**
 * Why an instance is refused when the range is full. Names the variable to change, and says what is kept: a log-based
 * metric counts these records by this text (terraform/monitoring.tf).
 */
export const portRangeFull = (range: { readonly from: number; readonly to: number }): string =>
  `no free gateway port in GATEWAY_PORT_RANGE ${range.from}-${range.to} for a new endpoint of this instance: it keeps its current configuration and ports until the range is widened or ports are freed`;

/**
 * Why an instance is refused when the block its ports are on is full though another has room: its ports stay on one
 * Service (one DestinationRule host). Names GATEWAY_PORT_RANGE too, so the same log-based metric counts it.
 */
export const portBlockFull = (range: PortBlocks): string =>
  `no free gateway port for a new endpoint of this instance on the Service its ports are on (its block of ${range.perService} ports, GATEWAY_PORTS_PER_SERVICE, in GATEWAY_PORT_RANGE ${range.from}-${range.to}): it keeps its current configuration and ports until ports of its block are freed`;

/** Computes what the cluster should hold for the instances in scope. Pure: the same input gives the same output. */
export function desiredState(input: SyncInput): DesiredState {
  const liveInstances = new Set(input.owned.map(instanceNameOf));
  const decisions = [...input.scope]
    .sort((a, b) => a.name.full.localeCompare(b.name.full))
    .map((o) => ({
      name: o.name,
      decision: decide(o, liveInstances.has(o.name.full), input.blocked?.has(o.name.full) ?? false, input.settings),
    }));
  const rendered = decisions.flatMap((d) => (d.decision.kind === 'render' ? [{ name: d.name, ...d.decision }] : []));
  const removed = new Set(
    decisions.filter((d) => d.decision.kind === 'remove' || d.decision.kind === 'unsupported').map((d) => d.name.full),
  );
  const egress = input.settings.mode === 'egress-gateway';
  // Ambient mode's gateway bridge keeps the gateway's route of an instance egress-gateway mode can route (not sharded).
  const bridged = (r: { sharded: boolean }): boolean =>
    input.settings.mode === 'ambient' && input.settings.gatewayBridge !== undefined && !r.sharded;
  const range = { ...portBlocksOf(input.settings), read: input.portBlocksRead };
  // Direct and ambient mode route through no gateway port: their instances need none, and give up any they held.
  const ports = gatewayPorts(
    { ...input, scope: input.scope.map((o) => o.name), range },
    rendered.map((r) => ({ name: r.name, endpoints: egress || bridged(r) ? r.endpoints : [] })),
    removed,
  );
  const refused = new Map(
    [...ports.refused].map(
      (name) => [name, ports.refusedInFullBlock.has(name) ? portBlockFull(range) : portRangeFull(range)] as const,
    ),
  );
  const errors: InstanceError[] = decisions.flatMap((d) => (d.decision.kind === 'error' ? [d.decision.error] : []));
  for (const [instance, message] of refused) errors.push({ instance, message, retryable: false });
  const placed = rendered.filter((r) => !refused.has(r.name.full));
  // Declared mode: an instance nobody declared gets NO_ACCESS (only the gateway sees it; its policy denies everyone).
  const accessOf = (name: InstanceName): InstanceAccess | undefined =>
    input.access ? (input.access.get(name.full) ?? NO_ACCESS) : undefined;
  const routed = (r: (typeof placed)[number]): RoutedEndpoint[] =>
    r.endpoints.map((e) => ({ ...e, gatewayPort: ports.allocations.get(allocationKey(r.name, e.role))?.port ?? 0 }));
  const desired = placed.flatMap((r) => {
    const access = accessOf(r.name);
    if (input.settings.mode === 'ambient')
      return renderAmbient(
        r.name,
        { ...r, ...(bridged(r) ? { gatewayRoute: routed(r) } : {}) },
        input.settings,
        access,
      );
    if (!egress)
      return [
        ...renderDirect(r.name, r.endpoints, input.settings, access),
        ...renderNodePorts(r.name, r.nodePorts, input.settings, access),
      ];
    return renderEgress(r.name, routed(r), input.settings, access);
  });

  return {
    desired,
    reconciled: new Set([...removed, ...placed.map((r) => r.name.full)]),
    kept: new Map(
      decisions.flatMap((d) => (d.decision.kind === 'keep' ? [[d.name.full, d.decision.reason] as const] : [])),
    ),
    unsupported: new Map(
      decisions.flatMap((d) => (d.decision.kind === 'unsupported' ? [[d.name.full, d.decision.reason] as const] : [])),
    ),
    refused,
    errors,
    ...(input.gatewayService
      ? {
          servicePorts: {
            before: input.gatewayService.ownedPorts,
            after: withQuarantine(input.gatewayService.ownedPorts, ports.after, input.quarantine),
            owners: ports.owners,
            placed: ports.placed,
          },
        }
      : {}),
  };
}
