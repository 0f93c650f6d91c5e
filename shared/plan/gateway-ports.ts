import type { Endpoint } from '../model/instance.js';
import type { InstanceName } from '../products/instance-name.js';
import type { KubeObject } from '../model/k8s-object.js';
import { instanceKey } from '../render/names.js';
import { parseServicePortName } from '../render/port-names.js';
import { allocatePorts, allocationKey, liveAllocations, type Allocations, type PortRange } from './allocate-ports.js';
import {
  foreignPorts,
  servicePortOfCode,
  type GatewayServiceState,
  type PortOwner,
  type ServicePort,
} from './service-ports.js';

/** What the gateway ports part of a plan reads. */
export interface GatewayPortsInput {
  readonly owned: readonly KubeObject[];
  readonly gatewayService?: GatewayServiceState | undefined;
  readonly view?: 'complete' | 'scope' | undefined;
  /** Every instance the plan covers: a Service port named for one of them is its port, with or without objects. */
  readonly scope: readonly InstanceName[];
  readonly range: PortRange;
}

/** An instance to render, with the endpoints it needs a gateway port for. */
export interface RoutedInstance {
  readonly name: InstanceName;
  readonly endpoints: readonly Endpoint[];
}

export interface GatewayPorts {
  /** The port of each endpoint of the instances placed (by allocationKey). */
  readonly allocations: Allocations;
  /** Instances some new need of which the range cannot hold: nothing of theirs changes, their ports stay theirs. */
  readonly refused: ReadonlySet<string>;
  /** Those of them refused because the block their ports are in is full, though another block has room. */
  readonly refusedInFullBlock: ReadonlySet<string>;
  /** Our ports on the Service once the plan is done (before quarantine), and whose each instance port is. */
  readonly after: readonly ServicePort[];
  readonly owners: readonly PortOwner[];
  /** The ports of instances placed by this plan: each goes on its block's Service (config/gateway-services.ts). */
  readonly placed: ReadonlySet<number>;
}

/** Our Service ports, split into those of instances in view and (for a scope view) those of instances not read. */
function splitOwnedPorts(input: GatewayPortsInput): {
  inView: readonly ServicePort[];
  outOfView: readonly ServicePort[];
} {
  const ownedPorts = input.gatewayService?.ownedPorts ?? [];
  if (input.view !== 'scope') return { inView: ownedPorts, outOfView: [] };
  const keys = new Set(input.scope.map(instanceKey));
  const inScope = (port: ServicePort): boolean => keys.has(parseServicePortName(port.name)?.key ?? '');
  return { inView: ownedPorts.filter(inScope), outOfView: ownedPorts.filter((p) => !inScope(p)) };
}

/**
 * The gateway ports of a plan. `routed` instances ask for a port per endpoint; `removed` instances give theirs up;
 * every other instance in view keeps the ports it has. An instance the range cannot hold all of the needs of is
 * refused whole and keeps its ports: dropping a port its Gateway still listens on would let the next instance have it,
 * and the gateway would then send one instance's clients to the other's host.
 */
export function gatewayPorts(
  input: GatewayPortsInput,
  routed: readonly RoutedInstance[],
  removed: ReadonlySet<string>,
): GatewayPorts {
  // A port of ours that no live object accounts for is freed; a port being freed is not handed out in the same plan,
  // so no route to it can still exist when it is.
  const { inView, outOfView } = splitOwnedPorts(input);
  const live = liveAllocations(input.owned, inView, input.scope);
  const accounted = new Set([...live.values()].map((a) => a.port));
  const strayPorts = inView.map((p) => p.port).filter((p) => !accounted.has(p));
  const requests = routed.flatMap((r) => r.endpoints.map((e) => ({ instance: r.name, role: e.role })));
  // Every live port not requested again stays out of this plan's hands: also one that a rendered instance stops
  // using (its read endpoint gone), which is freed into quarantine, not passed straight to another endpoint.
  const requested = new Set(requests.map((r) => allocationKey(r.instance, r.role)));
  const reserved = new Set([
    ...foreignPorts(input.gatewayService),
    ...[...live].filter(([key]) => !requested.has(key)).map(([, a]) => a.port),
    ...strayPorts,
    ...outOfView.map((p) => p.port),
  ]);
  const { allocations, exhausted, inFullBlock } = allocatePorts(requests, live, reserved, input.range);
  const refused = new Set(exhausted.map((r) => r.instance.full));
  const placed = new Set(routed.map((r) => r.name.full).filter((name) => !refused.has(name)));
  // Instances not placed nor removed (refused, kept as they are, unsettled, in error) keep the ports they have.
  const keptPorts = [...live.values()].filter((a) => !placed.has(a.instance.full) && !removed.has(a.instance.full));
  const placedPorts = [...allocations.values()].filter((a) => placed.has(a.instance.full));
  const owners = [...keptPorts, ...placedPorts].map((a) => ({
    instance: a.instance.full,
    port: servicePortOfCode(a.instance, a.code, a.port),
  }));
  return {
    allocations: new Map([...allocations].filter(([, a]) => placed.has(a.instance.full))),
    refused,
    refusedInFullBlock: inFullBlock,
    after: [...outOfView, ...owners.map((o) => o.port)],
    owners,
    placed: new Set(placedPorts.map((a) => a.port)),
  };
}
