/**
 * Structured logging for Cloud Logging: one JSON line per entry on stdout; `severity`, `message` and the special
 * `logging.googleapis.com/...` fields (labels, trace, spanId, trace_sampled, sourceLocation) are lifted into the
 * LogEntry. https://cloud.google.com/logging/docs/structured-logging#special-payload-fields
 */
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

export interface LogContext {
  readonly labels?: Readonly<Record<string, string>>;
  /** `projects/P/traces/T` */
  readonly trace?: string;
  /** The span of the request, 16 hex digits. */
  readonly spanId?: string;
  readonly traceSampled?: boolean;
}

/** Where an ERROR was logged from: the first stack frame outside this file. */
function sourceLocation(): { file: string; line: string; function: string } | undefined {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  const caller = frames.find((frame) => !/[/\\]shared[/\\]log\.[jt]s:/.test(frame));
  const match = caller ? /at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/.exec(caller.trim()) : null;
  return match?.[2] && match[3] ? { file: match[2], line: match[3], function: match[1] ?? '' } : undefined;
}

export type LineWriter = (line: string) => void;

export class Logger {
  constructor(
    private readonly context: LogContext = {},
    private readonly write: LineWriter = (line) => process.stdout.write(`${line}\n`),
  ) {}

  with(context: LogContext): Logger {
    const labels = { ...this.context.labels, ...context.labels };
    return new Logger({ ...this.context, ...context, labels }, this.write);
  }

  log(
    severity: Severity,
    fields: Record<string, unknown>,
    message: string,
    labels?: Readonly<Record<string, string>>,
  ): void {
    const allLabels = { component: 'memorystore-egress-sync', ...this.context.labels, ...labels };
    const { trace, spanId, traceSampled } = this.context;
    const location = severity === 'ERROR' ? sourceLocation() : undefined;
    this.write(
      JSON.stringify({
        severity,
        message,
        ...fields,
        'logging.googleapis.com/labels': allLabels,
        ...(trace ? { 'logging.googleapis.com/trace': trace } : {}),
        ...(trace && spanId ? { 'logging.googleapis.com/spanId': spanId } : {}),
        ...(trace && traceSampled !== undefined ? { 'logging.googleapis.com/trace_sampled': traceSampled } : {}),
        ...(location ? { 'logging.googleapis.com/sourceLocation': location } : {}),
      }),
    );
  }

  info(fields: Record<string, unknown>, message: string): void {
    this.log('INFO', fields, message);
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.log('WARNING', fields, message);
  }

  error(fields: Record<string, unknown>, message: string): void {
    this.log('ERROR', fields, message);
  }
}

/**
 * The trace context of a request, as Cloud Logging wants it: from `traceparent` (W3C: version-trace-span-flags) or
 * `X-Cloud-Trace-Context` (TRACE/SPAN;o=1, the span in decimal). https://www.w3.org/TR/trace-context/
 */
export function traceContextOf(header: string | undefined, project: string): LogContext {
  if (!header) return {};
  const w3c = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header);
  if (w3c)
    return {
      trace: `projects/${project}/traces/${w3c[1]}`,
      spanId: w3c[2]!,
      traceSampled: (Number.parseInt(w3c[3]!, 16) & 1) === 1,
    };
  const cloud = /^([0-9a-f]{32})(?:\/(\d{1,20}))?(?:;o=([01]))?$/.exec(header);
  if (!cloud) return {};
  const span =
    cloud[2] && BigInt(cloud[2]) < 2n ** 64n ? { spanId: BigInt(cloud[2]).toString(16).padStart(16, '0') } : {};
  return {
    trace: `projects/${project}/traces/${cloud[1]}`,
    ...span,
    ...(cloud[3] ? { traceSampled: cloud[3] === '1' } : {}),
  };
}

/** The trace of a request alone. */
export const traceOf = (header: string | undefined, project: string): string | undefined =>
  traceContextOf(header, project).trace;
