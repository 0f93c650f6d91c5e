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

const PREFIX = 'tcp-freed-';
const SECOND_MS = 1000;
const MINUTE_MS = 60_000;

/**
 * `tcp-freed-s<seconds since the epoch, base 36, rounded up>-<port>`: rounded up, so the period is never shorter than
 * configured. At most 8 characters for the time until the year 4000 (`tcp-freed-[0-9a-z]{1,12}-[0-9]{1,5}` is what
 * the admission policy lets this identity name a freed port).
 */
export function quarantinedPortName(port: number, freedAt: Date): string {
  return `${PREFIX}s${Math.ceil(freedAt.getTime() / SECOND_MS).toString(36)}-${port}`;
}

/**
 * When a quarantined port was freed, or undefined if the name is not a quarantine name. Names written before the
 * seconds format carry the minute, rounded down (`tcp-freed-<minutes, base 36>-<port>`): they are read as freed at the
 * end of that minute, never earlier than they were. The two cannot be confused: a minute count has 5 digits in base 36
 * until the year 2084 and 6 until about the year 6100, where a seconds name has `s` and at least 6 digits after it.
 */
export function freedAtMs(name: string): number | undefined {
  const seconds = /^tcp-freed-s([0-9a-z]{6,11})-\d+$/.exec(name)?.[1];
  if (seconds !== undefined) return parseInt(seconds, 36) * SECOND_MS;
  const minutes = /^tcp-freed-([0-9a-z]+)-\d+$/.exec(name)?.[1];
  return minutes === undefined ? undefined : (parseInt(minutes, 36) + 1) * MINUTE_MS;
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
