import { LABEL_INGRESS_USE_WAYPOINT, LABEL_USE_WAYPOINT } from '../render/render-ambient.js';
import type { KubeObject } from '../model/k8s-object.js';
import type { Change } from './plan-types.js';

/**
 * Make before break: new routes exist before anything points at them, and nothing is removed while still in use.
 * Creates and updates run in this order; deletes run in the reverse order, after them. The egress gateway's
 * AuthorizationPolicy (declared mode) comes last and goes first: the gateway port it guards has no route before it or
 * after it. Ambient mode's policy is attached to ServiceEntries: it comes first and goes last, so no ServiceEntry is
 * served by the waypoint without it (a waypoint with no ALLOW policy for a target lets everyone through). A
 * ServiceEntry that takes sidecar pods to the egress gateway again, leaving the waypoint (ambient to egress-gateway
 * mode) or joining the gateway bridge from ambient mode, is updated last of all, once the gateway route it moves them
 * to is in place: given the address with no route, a sidecar would pass its connection straight to it.
 */
const APPLY_ORDER = [
  'WaypointPolicy',
  'ServiceEntry',
  'Service',
  'Gateway',
  'DestinationRule',
  'VirtualService',
  'AuthorizationPolicy',
  'ServiceEntryToGateway',
];

/** Served by the waypoint alone: ambient mode off the bridge, where no sidecar pod is given a route to it. */
const waypointOnly = (object: KubeObject | undefined): boolean =>
  object?.metadata.labels?.[LABEL_USE_WAYPOINT] !== undefined &&
  object.metadata.labels[LABEL_INGRESS_USE_WAYPOINT] === undefined;

function stage(change: Change): string {
  if (change.target !== 'object') return change.ref.kind;
  const object = change.after ?? change.before;
  if (change.ref.kind === 'AuthorizationPolicy' && object?.spec['targetRefs'] !== undefined) return 'WaypointPolicy';
  const toGateway = change.action === 'update' && waypointOnly(change.before) && !waypointOnly(change.after);
  if (change.ref.kind === 'ServiceEntry' && toGateway) return 'ServiceEntryToGateway';
  return change.ref.kind;
}

const rank = (change: Change): number => APPLY_ORDER.indexOf(stage(change));

/**
 * Deletes, and the removal of our ports from the Service, which must wait until the Gateways that used them are gone.
 */
const isBreak = (change: Change): boolean =>
  change.action === 'delete' || (change.target === 'service-ports' && change.phase === 'break');

export function orderChanges(changes: readonly Change[]): Change[] {
  const make = changes.filter((c) => !isBreak(c)).sort((a, b) => rank(a) - rank(b));
  const breaks = changes.filter(isBreak).sort((a, b) => rank(b) - rank(a));
  return [...make, ...breaks];
}
