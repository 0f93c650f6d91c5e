import { freedAtMs, quarantinedPortName } from '../render/port-names.js';
import type { ServicePort } from './service-ports.js';

/**
 * A gateway port freed by a deletion is not handed to another instance at once: a sidecar that has not yet received
 * the deletion would still send the old instance's traffic to that port, and so to the new one. The freed port stays
 * on the egress gateway Service under a name that records when it was freed, so the quarantine survives restarts and
 * is read back from the cluster like every other allocation. Until the period is over it is reserved; a complete read
 * (resync) then removes it.
 */
export interface Quarantine {
  readonly now: Date;
  readonly seconds: number;
}

const expired = (port: ServicePort, quarantine: Quarantine): boolean =>
  (freedAtMs(port.name) ?? 0) + quarantine.seconds * 1000 <= quarantine.now.getTime();

/**
 * The Service ports a plan ends with, once quarantine is applied: a port of ours the plan drops is kept under a
 * quarantine name; a quarantined port the plan dropped stays until its period is over. With no quarantine (a period
 * of 0), dropped ports are simply freed.
 */
export function withQuarantine(
  before: readonly ServicePort[],
  after: readonly ServicePort[],
  quarantine: Quarantine | undefined,
): ServicePort[] {
  if (!quarantine || quarantine.seconds <= 0) return after.filter((p) => freedAtMs(p.name) === undefined);
  const kept = new Set(after.map((p) => p.port));
  const dropped = before.filter((p) => !kept.has(p.port));
  const held = dropped.flatMap((p): ServicePort[] => {
    if (freedAtMs(p.name) === undefined) return [{ ...p, name: quarantinedPortName(p.port, quarantine.now) }];
    return expired(p, quarantine) ? [] : [p];
  });
  return [...after, ...held];
}
