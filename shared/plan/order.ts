import type { Change } from './plan-types.js';

/**
 * Make before break: new routes exist before anything points at them, and nothing is removed while still in use.
 * Creates and updates run in this order; deletes run in the reverse order, after them. The AuthorizationPolicy
 * (declared mode) comes last and goes first: the gateway port it guards has no route before it or after it.
 */
const APPLY_ORDER = ['ServiceEntry', 'Service', 'Gateway', 'DestinationRule', 'VirtualService', 'AuthorizationPolicy'];

const rank = (change: Change): number => APPLY_ORDER.indexOf(change.ref.kind);

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
