import type { Change } from './plan-types.js';

/**
 * Make before break: new routes exist before anything points at them, and nothing is removed while still in use.
 * Creates and updates run in this order; deletes run in the reverse order, after them.
 */
const APPLY_ORDER = ['ServiceEntry', 'Service', 'Gateway', 'DestinationRule', 'VirtualService'];

const rank = (change: Change): number => APPLY_ORDER.indexOf(change.ref.kind);

/** A Service update that only removes ports is a "break" step too: it must wait until the Gateways are gone. */
function isBreak(change: Change): boolean {
  if (change.action === 'delete') return true;
  if (change.ref.kind !== 'Service' || change.action !== 'update') return false;
  const ports = (o: Change['before']): unknown[] => (Array.isArray(o?.spec['ports']) ? (o.spec['ports'] as unknown[]) : []);
  return ports(change.after).length < ports(change.before).length;
}

export function orderChanges(changes: readonly Change[]): Change[] {
  const make = changes.filter((c) => !isBreak(c)).sort((a, b) => rank(a) - rank(b));
  const breaks = changes.filter(isBreak).sort((a, b) => rank(b) - rank(a));
  return [...make, ...breaks];
}
