import { formatFailures, formatKinds, formatWrites } from './audit-log.js';
import { cell, type Outcome } from './bounded.js';
import type { Counted } from './counted.js';
import type { EventCost } from './event-phases.js';
import type { SizeResult } from './measure-size.js';
import type { ResyncRun } from './resync-phases.js';
import type { Startup } from './startup-phase.js';

const n = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const seconds = (ms: number): string => `${n(ms / 1000, 1)} s`;
const bytes = (b: number): string => (b >= 1048576 ? `${n(b / 1048576, 1)} MiB` : `${n(b / 1024, 1)} KiB`);
const statuses = (c: Counted<unknown>): string =>
  c.requests.failures.size > 0 ? `; ${formatFailures(c.requests)}` : '';

function costLine(c: Counted<unknown>): string {
  const writes = c.requests.writes > 0 ? ` (${formatWrites(c.requests)})` : '';
  // Connections the bench's relay could not make: the figure is then partly the bench's limit, and says so.
  const broken =
    c.traffic.broken > 0 ? `; BENCH LIMIT: the counting relay could not connect ${n(c.traffic.broken)} of them` : '';
  return `${seconds(c.wallMs)}, ${n(c.requests.requests)} requests, ${n(c.requests.writes)} writes${writes}, ${n(c.traffic.connections)} TLS connections${broken}, ${bytes(c.traffic.received)} read${statuses(c)}`;
}

function perEvent(outcome: Outcome<EventCost> | undefined, figure: (e: EventCost) => string): string {
  return cell(outcome, (e) => {
    const failed = e.failedDeliveries > 0 ? ` (${e.failedDeliveries} deliveries failed and were retried)` : '';
    return `${figure(e)}${failed}`;
  });
}

const requestsPerEvent = (e: EventCost): string => {
  const writes = e.requests.writes > 0 ? `; writes over ${e.events} events: ${formatWrites(e.requests)}` : '';
  return `${n(e.requests.requests / e.events, 1)} (${n(e.requests.writes / e.events, 1)} writes${writes})`;
};
const bytesPerEvent = (e: EventCost): string =>
  `${bytes(e.traffic.received / e.events)} read, ${bytes(e.traffic.sent / e.events)} sent, ${n(e.traffic.connections / e.events, 1)} connections`;

function resyncCell(outcome: Outcome<ResyncRun> | undefined, detail: (r: ResyncRun) => string): string {
  return cell(outcome, (r) => (r.failure ? `failed (${r.failure}) after ${costLine(r)}` : detail(r)));
}

function ratio(results: SizeResult): string {
  const project = results.converge;
  const kubectl = results.kubectl;
  if (!project?.ok || project.value.failure || !kubectl?.ok) return 'n/a (one side failed)';
  return `${n(project.value.wallMs / kubectl.value.wallMs, 2)}× the time, ${n(project.value.requests.requests / kubectl.value.requests.requests, 2)}× the requests`;
}

function notes(r: SizeResult): string {
  return [
    r.objects !== undefined ? `${n(r.objects)} objects rendered` : '',
    r.seededByKubectl ? 'the project did not converge: kubectl wrote the state the later phases ran on' : '',
    r.noop?.ok && r.noop.value.requests.writes > 0 ? 'the events ran on the state the no-op resync left' : '',
    r.aborted ?? '',
    r.elapsedMs !== undefined ? `this size took ${seconds(r.elapsedMs)} in all` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

type Row = readonly [string, (r: SizeResult) => string];
const LATENCY_ROW = 'event latency, last audit entry → objects visible';

function rows(results: readonly SizeResult[]): Row[] {
  const all: Row[] = [
    ['requests per no-op event (a resize)', (r) => perEvent(r.events?.noop, requestsPerEvent)],
    ['requests per create event', (r) => perEvent(r.events?.create, requestsPerEvent)],
    ['bytes per no-op event', (r) => perEvent(r.events?.noop, bytesPerEvent)],
    ['bytes per create event', (r) => perEvent(r.events?.create, bytesPerEvent)],
    ['converge from empty: project (resync)', (r) => resyncCell(r.converge, costLine)],
    ['converge from empty: `kubectl apply --server-side`', (r) => cell(r.kubectl, costLine)],
    ['converge: project ÷ kubectl', ratio],
    ['no-op resync', (r) => resyncCell(r.noop, (v) => `${costLine(v)}; ${formatKinds(v.requests)}`)],
    [
      'peak RSS of the resync function (VmHWM)',
      (r) =>
        `converge: ${cell(r.converge, (v) => `${n(v.peakMiB)} MiB`)}; no-op: ${cell(r.noop, (v) => `${n(v.peakMiB)} MiB`)}`,
    ],
    [
      'idle RSS of the resync function before the no-op',
      (r) => (r.noopIdleMiB === undefined ? 'not measured' : `${n(r.noopIdleMiB)} MiB`),
    ],
    [
      LATENCY_ROW,
      (r) =>
        r.latency ? cell(r.latency, (l) => `p50 ${n(l.p50Ms)} ms, p99 ${n(l.p99Ms)} ms (${l.samples} events)`) : '—',
    ],
    ['notes', notes],
  ];
  return all.filter(([label]) => label !== LATENCY_ROW || results.some((r) => r.latency));
}

/** The size table: one row per figure, one column per N. */
export function sizeTable(results: readonly SizeResult[]): string {
  const header = `| what | ${results.map((r) => `N = ${n(r.size)}`).join(' | ')} |`;
  const rule = `|---|${results.map(() => '---').join('|')}|`;
  const body = rows(results).map(
    ([label, figure]) => `| ${label} | ${results.map((r) => figure(r).replace(/\|/g, '/')).join(' | ')} |`,
  );
  return [header, rule, ...body].join('\n');
}

/** Start-up, which does not depend on N. */
export function startupTable(startup: { project: Outcome<Startup>; hello: Outcome<Startup> } | undefined): string {
  if (!startup) return '';
  const { project, hello } = startup;
  const both =
    project.ok && hello.ok
      ? `${n(project.value.coldStartMs / hello.value.coldStartMs, 1)}× the cold start, ${n(project.value.idleMiB / hello.value.idleMiB, 1)}× the idle RSS`
      : 'n/a';
  return [
    '| start-up | resync function | hello-world function | ratio |',
    '|---|---|---|---|',
    `| cold start (spawn → first answer), median of 3 | ${cell(project, (s) => `${n(s.coldStartMs)} ms`)} | ${cell(hello, (s) => `${n(s.coldStartMs)} ms`)} | ${both} |`,
    `| idle RSS 2 s after start, median of 3 | ${cell(project, (s) => `${n(s.idleMiB)} MiB`)} | ${cell(hello, (s) => `${n(s.idleMiB)} MiB`)} | |`,
  ].join('\n');
}
