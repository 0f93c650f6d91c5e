import { formatWrites } from './audit-log.js';
import type { Outcome } from './bounded.js';
import type { Counted } from './counted.js';
import { netApiserverCpu, type EventCost } from './event-phases.js';
import type { SizeResult } from './measure-size.js';
import type { ResyncRun } from './resync-phases.js';
import { BENCH_MEMORY_MIB, bytes, cpuCell, n, overRuns, seconds, spreadCell, type OverRuns } from './run-figures.js';

/** One size's runs (BENCH_RUNS of them), all at the same N. */
export type SizeRuns = readonly SizeResult[];

type Figure<T> = (value: T) => number | string | undefined;

const resyncFigure =
  (value: (r: ResyncRun) => number | undefined): Figure<ResyncRun> =>
  (r) =>
    r.failure ? r.failure : value(r);

function resyncCell(runs: SizeRuns, pick: (r: SizeResult) => Outcome<ResyncRun> | undefined): string {
  const over = (v: (r: ResyncRun) => number | undefined): OverRuns => overRuns(runs, pick, resyncFigure(v));
  const wall = spreadCell(
    over((r) => r.wallMs),
    seconds,
  );
  if (!over((r) => r.wallMs).spread) return wall;
  return [
    wall,
    `${spreadCell(
      over((r) => r.requests.requests),
      (v) => n(v),
    )} requests`,
    `${spreadCell(
      over((r) => r.requests.writes),
      (v) => n(v),
    )} writes`,
    `${spreadCell(
      over((r) => r.traffic.received),
      bytes,
    )} read`,
    `function ${cpuCell(over((r) => r.cpu.functionS))}`,
    `apiserver ${spreadCell(
      over((r) => r.cpu.apiserverS),
      (v) => `${n(v, 1)} CPU-s`,
    )}`,
  ].join('; ');
}

function applyCell(runs: SizeRuns, pick: (r: SizeResult) => Outcome<Counted<number>> | undefined): string {
  const over = (v: (c: Counted<number>) => number): OverRuns => overRuns(runs, pick, v);
  const wall = spreadCell(
    over((c) => c.wallMs),
    seconds,
  );
  if (!over((c) => c.wallMs).spread) return wall;
  return [
    wall,
    `${spreadCell(
      over((c) => c.requests.requests),
      (v) => n(v),
    )} requests`,
    `${spreadCell(
      over((c) => c.traffic.connections),
      (v) => n(v),
    )} connections`,
    `apiserver ${spreadCell(
      over((c) => c.cpu.apiserverS),
      (v) => `${n(v, 1)} CPU-s`,
    )}`,
  ].join('; ');
}

/** Project converge ÷ the other side, in each run where both succeeded. */
function ratioCell(runs: SizeRuns, other: (r: SizeResult) => Outcome<Counted<number>> | undefined): string {
  if (runs.every((r) => other(r) === undefined)) return 'not run';
  const ratios = overRuns(
    runs,
    (r): Outcome<SizeResult> => ({ ok: true, value: r }),
    (r) => {
      const project = r.converge;
      const side = other(r);
      if (!project?.ok || project.value.failure || !side?.ok) return 'one side failed';
      return project.value.wallMs / side.value.wallMs;
    },
  );
  return spreadCell(ratios, (v) => `${n(v, 2)}× the time`);
}

/** Per event: one run's figure divided by its events. */
const perEvent =
  (value: (e: EventCost) => number | undefined): Figure<EventCost> =>
  (e) => {
    const v = value(e);
    return v === undefined ? undefined : v / e.events;
  };

function eventCell(runs: SizeRuns, kind: 'noop' | 'create'): string {
  const pick = (r: SizeResult): Outcome<EventCost> | undefined => r.events?.[kind];
  const over = (v: (e: EventCost) => number | undefined): OverRuns => overRuns(runs, pick, perEvent(v));
  const requests = over((e) => e.requests.requests);
  if (!requests.spread) return spreadCell(requests, String);
  const idle = runs.find((r) => r.apiserverIdleCpuPerS !== undefined)?.apiserverIdleCpuPerS;
  const writes = runs.map(pick).find((o) => o?.ok && o.value.requests.writes > 0);
  const failed = runs.map(pick).reduce((sum, o) => sum + (o?.ok ? o.value.failedDeliveries : 0), 0);
  return [
    `${spreadCell(requests, (v) => n(v, 1))} requests (${spreadCell(
      over((e) => e.requests.writes),
      (v) => n(v, 1),
    )} writes${writes?.ok ? `: ${formatWrites(writes.value.requests)} over ${writes.value.events} events` : ''})`,
    `${spreadCell(
      over((e) => e.traffic.received),
      bytes,
    )} read, ${spreadCell(
      over((e) => e.traffic.sent),
      bytes,
    )} sent`,
    `apiserver ${spreadCell(over(netApiserverCpu(idle)), (v) => `${n(v, 3)} CPU-s`)} net of idle`,
    `function ${cpuCell(over((e) => e.cpu.functionS))}`,
    failed > 0 ? `${failed} deliveries failed and were retried` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function memoryCell(runs: SizeRuns): string {
  const peak = (pick: (r: SizeResult) => Outcome<ResyncRun> | undefined): string =>
    spreadCell(
      overRuns(runs, pick, (r) => r.peakMiB),
      (v) => `${n(v)} MiB`,
    );
  const idle = spreadCell(
    overRuns(
      runs,
      (r) => (r.noopIdleMiB === undefined ? undefined : { ok: true, value: r.noopIdleMiB }),
      (v) => v,
    ),
    (v) => `${n(v)} MiB`,
  );
  return `converge: ${peak((r) => r.converge)}; no-op: ${peak((r) => r.noop)}; idle before the no-op: ${idle}`;
}

function latencyCell(runs: SizeRuns): string {
  if (!runs.some((r) => r.latency)) return '—';
  const p = (v: (l: { p50Ms: number; p99Ms: number }) => number): string =>
    spreadCell(
      overRuns(runs, (r) => r.latency, v),
      (x) => `${n(x)} ms`,
    );
  return `p50 ${p((l) => l.p50Ms)}, p99 ${p((l) => l.p99Ms)} (50 events a run)`;
}

/** The apiserver's idle rate measured just before each run's no-op and create events, which those are net of. */
function eventIdle(runs: SizeRuns): string {
  const rates = runs.flatMap((r) =>
    (['noop', 'create'] as const).flatMap((kind) => {
      const outcome = r.events?.[kind];
      return outcome?.ok ? [n(outcome.value.apiserverIdleCpuPerS, 3)] : [];
    }),
  );
  return rates.length > 0 ? `before the events (no-op, create per run): ${rates.join(', ')} CPU-s/s` : '';
}

function notes(runs: SizeRuns): string {
  const first = runs[0]!;
  const idle = first.apiserverIdleCpuPerS;
  return [
    first.objects !== undefined ? `${n(first.objects)} objects rendered, ${n(first.ports ?? 0)} gateway ports` : '',
    idle !== undefined ? `apiserver idle ${n(idle, 3)} CPU-s/s as the stack came up` : '',
    eventIdle(runs),
    `audit records published to AUDIT_TOPIC: ${runs.map((r) => n(r.auditRecords ?? 0)).join(', ')}`,
    ...runs.map((r, i) =>
      [
        r.seededByKubectl
          ? `run ${i + 1}: the project did not converge, kubectl wrote the state the later phases ran on`
          : '',
        r.aborted ? `run ${i + 1}: ${r.aborted}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ),
    `${runs.length} runs took ${runs.map((r) => seconds(r.elapsedMs ?? 0)).join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');
}

type Row = readonly [string, (runs: SizeRuns) => string];

const ROWS: readonly Row[] = [
  ['converge from empty: project (resync)', (runs) => resyncCell(runs, (r) => r.converge)],
  ['converge from empty: `kubectl apply --server-side`', (runs) => applyCell(runs, (r) => r.kubectl)],
  [
    'converge from empty: ceiling probe (server-side apply, HTTP/2, 256 streams)',
    (runs) => applyCell(runs, (r) => r.ceiling),
  ],
  ['converge: project ÷ kubectl', (runs) => ratioCell(runs, (r) => r.kubectl)],
  ['converge: project ÷ ceiling', (runs) => ratioCell(runs, (r) => r.ceiling)],
  ['no-op resync', (runs) => resyncCell(runs, (r) => r.noop)],
  ['per no-op event (a Redis resize)', (runs) => eventCell(runs, 'noop')],
  ['per create event (a new Redis instance)', (runs) => eventCell(runs, 'create')],
  [`peak RSS of the resync function (VmHWM), four products, ${BENCH_MEMORY_MIB} MiB's Node options`, memoryCell],
  ['event latency, last audit entry → objects visible', latencyCell],
  ['notes', notes],
];

/** The size table: one row per figure, one column per N; each cell the median (min–max) over the runs. */
export function sizeTable(sizes: readonly SizeRuns[]): string {
  const header = `| what | ${sizes.map((runs) => `N = ${n(runs[0]!.size)}`).join(' | ')} |`;
  const rule = `|---|${sizes.map(() => '---').join('|')}|`;
  const body = ROWS.map(
    ([label, figure]) => `| ${label} | ${sizes.map((runs) => figure(runs).replace(/\|/g, '/')).join(' | ')} |`,
  );
  return [header, rule, ...body].join('\n');
}
