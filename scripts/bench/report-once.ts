import type { Outcome } from './bounded.js';
import { cell } from './bounded.js';
import { netApiserverCpu, type EventCost } from './event-phases.js';
import type { FirstEventRun } from './first-event-phase.js';
import { PORTS_MEMORY_MIB, type PortsResult } from './ports-phase.js';
import { cpuShareOf } from './cpu-share.js';
import type { SizeRuns } from './report.js';
import { bytes, cpuCell, n, overRuns, seconds, spreadCell } from './run-figures.js';
import { flatWithin } from './spread.js';
import type { Startup } from './startup-phase.js';

/** The issue's bound: an event's figures may move by 20% at most from the smallest N to the largest. */
export const FLAT_TOLERANCE = 0.2;

type EventFigure = readonly [string, (e: EventCost, idlePerS: number) => number, (v: number) => string];

const EVENT_FIGURES: readonly EventFigure[] = [
  ['requests', (e) => e.requests.requests / e.events, (v) => n(v, 1)],
  ['bytes read', (e) => e.traffic.received / e.events, bytes],
  ['bytes sent', (e) => e.traffic.sent / e.events, bytes],
  ['apiserver CPU-s, net of idle', (e, idle) => netApiserverCpu(idle)(e) / e.events, (v) => n(v, 3)],
  ['function CPU-s', (e) => (e.cpu.functionS ?? 0) / e.events, (v) => n(v, 3)],
];

/** Whether each per-event figure is flat in N: the medians by size, and the largest move from the smallest N. */
export function flatnessTable(sizes: readonly SizeRuns[]): string {
  const lines = [
    `| per event | ${sizes.map((runs) => `N = ${n(runs[0]!.size)}`).join(' | ')} | flat within ${FLAT_TOLERANCE * 100}%? |`,
    `|---|${sizes.map(() => '---').join('|')}|---|`,
  ];
  for (const kind of ['noop', 'create'] as const) {
    for (const [label, figure, format] of EVENT_FIGURES) {
      const bySize = sizes.map((runs) => {
        const idle = runs[0]!.apiserverIdleCpuPerS ?? 0;
        return {
          size: runs[0]!.size,
          over: overRuns(
            runs,
            (r) => r.events?.[kind],
            (e) => figure(e, idle),
          ),
        };
      });
      const medians = bySize.flatMap((s) => (s.over.spread ? [{ size: s.size, median: s.over.spread.median }] : []));
      const flat = medians.length === bySize.length ? flatWithin(medians, FLAT_TOLERANCE) : undefined;
      const verdict = flat ? `${flat.flat ? 'yes' : 'NO'} (largest move ${n(flat.worst * 100)}%)` : 'n/a';
      const cells = bySize.map((s) => spreadCell(s.over, format).replace(/\|/g, '/'));
      lines.push(`| ${kind === 'noop' ? 'no-op' : 'create'}: ${label} | ${cells.join(' | ')} | ${verdict} |`);
    }
  }
  return lines.join('\n');
}

/** The many-ports phase: did one resync converge that many gateway ports, and where did they go. */
export function portsTable(ports: PortsResult | undefined): string {
  if (!ports) return '';
  const converge = ports.converge;
  const outcome = ports.aborted
    ? `not run (${ports.aborted})`
    : cell(converge, (r) => (r.failure ? `**failed**: ${r.failure}` : 'converged'));
  const time = converge?.ok ? seconds(converge.value.wallMs) : '—';
  const cpu = converge?.ok
    ? cpuCell(
        overRuns(
          [converge],
          (o) => o,
          (r) => r.cpu.functionS,
        ),
        cpuShareOf(PORTS_MEMORY_MIB),
      )
    : '—';
  const where = cell(ports.onServices, (p) => `${n(p.ports)} ports on ${p.services} Service(s)`);
  return [
    `| ${n(ports.wanted)} gateway ports (${n(ports.instances)} four-node Memcached instances, one run, ` +
      `${PORTS_MEMORY_MIB} MiB's Node options) | |`,
    '|---|---|',
    `| resync from empty | ${outcome.replace(/\|/g, '/')} |`,
    `| time; function CPU | ${time}; ${cpu} |`,
    `| gateway ports rendered / on the cluster | ${n(ports.rendered ?? 0)} / ${where} |`,
    `| peak RSS (VmHWM) | ${converge?.ok ? `${n(converge.value.peakMiB)} MiB` : '—'} |`,
    `| phase time in all | ${seconds(ports.elapsedMs)} |`,
  ].join('\n');
}

/** The first event after a cold start beside a hello-world function's first answer, over the runs. */
export function firstEventTable(first: Outcome<FirstEventRun[]> | undefined): string {
  if (!first) return '';
  if (!first.ok) return `First event after a cold start: failed (${first.reason})`;
  const runs = first.value.map((r): Outcome<FirstEventRun> => ({ ok: true, value: r }));
  const ms = (v: (r: FirstEventRun) => number): string =>
    spreadCell(
      overRuns(runs, (r) => r, v),
      (x) => `${n(x)} ms`,
    );
  const ratio = spreadCell(
    overRuns(
      runs,
      (r) => r,
      (r) => r.totalMs / r.helloMs,
    ),
    (x) => `${n(x, 1)}×`,
  );
  return [
    `| first event after a cold start (${runs.length} runs) | median (min–max) |`,
    '|---|---|',
    `| hello-world: spawn → first answer | ${ms((r) => r.helloMs)} |`,
    `| syncOnAuditLog: spawn → first answer | ${ms((r) => r.readyMs)} |`,
    `| the first event: first answer → acknowledged | ${ms((r) => r.eventMs)}; function ${cpuCell(
      overRuns(
        runs,
        (r) => r,
        (r) => r.eventCpuS,
      ),
    )} |`,
    `| spawn → the first event acknowledged | ${ms((r) => r.totalMs)} |`,
    `| ÷ hello-world's first answer (same run) | ${ratio} |`,
  ].join('\n');
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
