import { endpointsOf, type Endpoint, type InstanceName, type RedisInstance } from '../model/instance.js';
import { instanceNameOf, type KubeObject } from '../model/k8s-object.js';
import { renderDirect, renderEgress, type RoutedEndpoint } from '../render/render-instance.js';
import type { RenderSettings } from '../render/render-settings.js';
import { allocatePorts, allocationKey, liveAllocations } from './allocate-ports.js';
import type { InstanceError } from './plan-types.js';
import { foreignPorts, gatewayServicePort, type GatewayServiceState, type ServicePort } from './service-ports.js';

/** An instance the plan covers, as the Memorystore API reported it; no `instance` means it is gone. */
export interface InstanceObservation {
  readonly name: InstanceName;
  readonly instance?: RedisInstance;
}

export interface SyncInput {
  readonly scope: readonly InstanceObservation[];
  /** Every object this deployment owns (all instances): ports held by instances out of scope stay reserved. */
  readonly owned: readonly KubeObject[];
  readonly gatewayService?: GatewayServiceState;
  readonly settings: RenderSettings & { readonly gatewayPortRange: { readonly from: number; readonly to: number } };
  /**
   * Remove our Service ports that no Gateway uses. Only a resync does: on the event path such a port may belong to a
   * concurrent reconcile that has added it and not yet written its Gateway (make before break).
   */
  readonly releaseStrayPorts?: boolean;
}

export interface DesiredState {
  /** Objects of the instances in scope that are rendered. */
  readonly desired: readonly KubeObject[];
  /** Instances in scope whose live objects are reconciled: rendered ones and removed ones. */
  readonly reconciled: ReadonlySet<string>;
  /** Instances whose live objects are left as they are, with why. */
  readonly kept: ReadonlyMap<string, string>;
  readonly errors: readonly InstanceError[];
  readonly servicePorts?: { readonly before: readonly ServicePort[]; readonly after: readonly ServicePort[] };
}

type Decision =
  | { kind: 'render'; endpoints: Endpoint[] }
  | { kind: 'remove' }
  | { kind: 'keep'; reason: string }
  | { kind: 'error'; error: InstanceError };

/**
 *   instance                      live objects   decision
 *   gone (NOT_FOUND, not listed)  any            remove its objects
 *   no primary address yet        any            error, retryable: it is still being created
 *   not READY                     some           keep them until it settles
 *   READY, or not READY           none           render from its current endpoints
 */
function decide(observation: InstanceObservation, hasLive: boolean): Decision {
  const { instance } = observation;
  if (!instance) return { kind: 'remove' };
  const endpoints = endpointsOf(instance);
  if (!endpoints) {
    const message = `instance is ${instance.state} and has no endpoint yet`;
    return { kind: 'error', error: { instance: instance.name, message, retryable: true } };
  }
  if (instance.state !== 'READY' && hasLive) return { kind: 'keep', reason: `instance is ${instance.state}: current config kept until it is READY` };
  return { kind: 'render', endpoints };
}

/** Computes what the cluster should hold for the instances in scope. Pure: the same input gives the same output. */
export function desiredState(input: SyncInput): DesiredState {
  const liveInstances = new Set(input.owned.map(instanceNameOf));
  const decisions = [...input.scope]
    .sort((a, b) => a.name.full.localeCompare(b.name.full))
    .map((o) => ({ name: o.name, decision: decide(o, liveInstances.has(o.name.full)) }));
  const rendered = decisions.flatMap((d) => (d.decision.kind === 'render' ? [{ name: d.name, endpoints: d.decision.endpoints }] : []));
  const removed = new Set(decisions.filter((d) => d.decision.kind === 'remove').map((d) => d.name.full));
  const renderedNames = new Set(rendered.map((r) => r.name.full));

  // Ports held by instances that are not rendered now stay theirs; a removed instance's port is freed only once its
  // objects are gone, so this plan never hands it to another instance while the old route still exists.
  const live = liveAllocations(input.owned);
  const heldElsewhere = [...live].filter(([key]) => !renderedNames.has(key.slice(0, key.indexOf('#'))));
  const egress = input.settings.mode === 'egress-gateway';
  const requests = egress ? rendered.flatMap((r) => r.endpoints.map((e) => ({ instance: r.name.full, role: e.role }))) : [];
  const livePorts = new Set(live.values());
  const strayPorts = (input.gatewayService?.ownedPorts ?? []).map((p) => p.port).filter((p) => !livePorts.has(p));
  const reserved = new Set([...foreignPorts(input.gatewayService), ...heldElsewhere.map(([, port]) => port), ...strayPorts]);
  const { allocations, exhausted } = allocatePorts(requests, live, reserved, input.settings.gatewayPortRange);
  const exhaustedNames = new Set(exhausted.map((r) => r.instance));

  const errors: InstanceError[] = decisions.flatMap((d) => (d.decision.kind === 'error' ? [d.decision.error] : []));
  for (const name of exhaustedNames) {
    const range = input.settings.gatewayPortRange;
    errors.push({ instance: name, message: `no free gateway port in GATEWAY_PORT_RANGE ${range.from}-${range.to}`, retryable: false });
  }
  const desired = rendered
    .filter((r) => !exhaustedNames.has(r.name.full))
    .flatMap((r) => {
      if (!egress) return renderDirect(r.name, r.endpoints, input.settings);
      const routed: RoutedEndpoint[] = r.endpoints.map((e) => ({ ...e, gatewayPort: allocations.get(allocationKey(r.name.full, e.role)) ?? 0 }));
      return renderEgress(r.name, routed, input.settings);
    });

  const keptPorts = heldElsewhere.filter(([key]) => !removed.has(key.slice(0, key.indexOf('#')))).map(([, port]) => port);
  const renderedPorts = rendered.filter((r) => !exhaustedNames.has(r.name.full)).flatMap((r) => r.endpoints.map((e) => allocations.get(allocationKey(r.name.full, e.role))));
  const keptStray = input.releaseStrayPorts ? [] : strayPorts;
  const afterPorts = [...new Set([...keptPorts, ...renderedPorts, ...keptStray])].filter((p): p is number => p !== undefined);
  return {
    desired,
    reconciled: new Set([...removed, ...[...renderedNames].filter((n) => !exhaustedNames.has(n))]),
    kept: new Map(decisions.flatMap((d) => (d.decision.kind === 'keep' ? [[d.name.full, d.decision.reason] as const] : []))),
    errors,
    ...(input.gatewayService ? { servicePorts: { before: input.gatewayService.ownedPorts, after: afterPorts.map(gatewayServicePort) } } : {}),
  };
}
