import type { StormFigures } from '../../dev/end-to-end/storm-figures.js';

/** One line of the chaos table; a figure a phase does not measure is left out (printed as a dash). */
export interface PhaseRow {
  readonly phase: string;
  readonly seconds: number;
  readonly events?: number;
  readonly maxDeliveries?: number;
  readonly p99Deliveries?: number;
  readonly unacknowledged?: number;
  readonly divergence?: number;
  readonly duplicatePorts?: number;
  readonly foreignTouched?: number;
  readonly halfConfigured?: number;
  readonly lostUpdates?: number;
  readonly orphaned?: number;
  readonly starvedResyncs?: number;
  readonly crashes?: number;
  readonly maxLogLine?: number;
  /** Processes killed mid-reconcile, and changes whose record no audit line or message holds. */
  readonly killed?: number;
  readonly lostRecords?: number;
  /** Calls that Istio's simulator followed to a host of another instance than the one called. */
  readonly crossRouted?: number;
  /** Writes of content the project never renders, made as its identity, that the apiserver let through. */
  readonly attacksAdmitted?: number;
  readonly note?: string;
}

export function stormRow(phase: string, seconds: number, figures: StormFigures): PhaseRow {
  const { findings } = figures;
  return {
    phase,
    seconds,
    events: figures.events,
    maxDeliveries: figures.maxDeliveries,
    p99Deliveries: figures.p99Deliveries,
    unacknowledged: figures.unacknowledged,
    divergence: figures.divergence.length,
    duplicatePorts: findings.duplicatePorts.length,
    foreignTouched: figures.foreignTouched.length,
    halfConfigured: findings.halfConfigured.length,
    lostUpdates: findings.missing.length,
    orphaned: findings.orphaned.length,
  };
}

const COLUMNS: ReadonlyArray<[keyof PhaseRow, string]> = [
  ['phase', 'phase'],
  ['seconds', 's'],
  ['events', 'events'],
  ['maxDeliveries', 'deliveries max'],
  ['p99Deliveries', 'deliveries p99'],
  ['unacknowledged', 'unacked'],
  ['divergence', 'divergence'],
  ['duplicatePorts', 'dup ports'],
  ['foreignTouched', 'foreign touched'],
  ['halfConfigured', 'half-configured'],
  ['lostUpdates', 'lost updates'],
  ['orphaned', 'orphans'],
  ['starvedResyncs', 'starved resyncs'],
  ['crashes', 'crashes'],
  ['maxLogLine', 'max log line (B)'],
  ['killed', 'killed'],
  ['lostRecords', 'lost records'],
  ['crossRouted', 'cross-routed'],
  ['attacksAdmitted', 'attacks admitted'],
];

/** The table as Markdown, so it can go into docs/reliability.md as printed. */
export function table(rows: readonly PhaseRow[]): string {
  const cell = (row: PhaseRow, key: keyof PhaseRow): string => (row[key] === undefined ? '-' : String(row[key]));
  const lines = [`| ${COLUMNS.map(([, title]) => title).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${COLUMNS.map(([key]) => cell(row, key)).join(' | ')} |`);
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.phase}: ${r.note}`);
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** True when the row shows something wrong: any count of a bad outcome above zero, or deliveries past the limit. */
export function isBad(row: PhaseRow, deliveryLimit: number): boolean {
  const bad = [
    row.unacknowledged,
    row.divergence,
    row.duplicatePorts,
    row.foreignTouched,
    row.halfConfigured,
    row.lostUpdates,
    row.orphaned,
    row.starvedResyncs,
    row.crashes,
    row.lostRecords,
    row.crossRouted,
    row.attacksAdmitted,
  ];
  // Cloud Logging refuses an entry over 256 KB (https://cloud.google.com/logging/quotas).
  const lineTooLong = (row.maxLogLine ?? 0) > 256 * 1024;
  return (
    lineTooLong || bad.some((n) => (n ?? 0) > 0) || (row.maxDeliveries ?? 0) > deliveryLimit || row.note !== undefined
  );
}
