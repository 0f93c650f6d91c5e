import type { Change } from './plan-types.js';

/**
 * Make before break: new routes exist before anything points at them, and nothing is removed while still in use.
 * Creates and updates run in this order; deletes run in the reverse order, after them.
 */
const APPLY_ORDER = ['ServiceEntry', 'Service', 'Gateway', 'DestinationRule', 'VirtualService'];

const rank = (change: Change): number => APPLY_ORDER.indexOf(change.ref.kind);

/**
 * A Service update that removes ports, or renames them into quarantine, is a "break" step too: it must wait until the
 * Gateways that used them are gone.
 */
function isBreak(change: Change): boolean {
  if (change.action === 'delete') return true;
  if (change.ref.kind !== 'Service' || change.action !== 'update') return false;
  const keys = (o: Change['before']): string[] =>
    (Array.isArray(o?.spec['ports']) ? (o.spec['ports'] as Array<{ port?: unknown; name?: unknown }>) : []).map((p) => `${String(p.port)}/${String(p.name)}`);
  const after = new Set(keys(change.after));
  return keys(change.before).some((k) => !after.has(k));
}

export function orderChanges(changes: readonly Change[]): Change[] {
  const make = changes.filter((c) => !isBreak(c)).sort((a, b) => rank(a) - rank(b));
  const breaks = changes.filter(isBreak).sort((a, b) => rank(b) - rank(a));
  return [...make, ...breaks];
}
