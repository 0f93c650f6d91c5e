/**
 * Structured logging for Cloud Logging: one JSON line per entry on stdout; `severity`, `message`, the special
 * `logging.googleapis.com/labels` and `logging.googleapis.com/trace` fields are lifted into the LogEntry.
 * https://cloud.google.com/functions/docs/monitoring/logging#writing_structured_logs
 */
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

export interface LogContext {
  readonly labels?: Readonly<Record<string, string>>;
  /** `projects/P/traces/T` */
  readonly trace?: string;
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

  log(severity: Severity, fields: Record<string, unknown>, message: string, labels?: Readonly<Record<string, string>>): void {
    const allLabels = { component: 'memorystore-egress-sync', ...this.context.labels, ...labels };
    this.write(
      JSON.stringify({
        severity,
        message,
        ...fields,
        'logging.googleapis.com/labels': allLabels,
        ...(this.context.trace ? { 'logging.googleapis.com/trace': this.context.trace } : {}),
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

/** The trace of a request, from `traceparent` (W3C) or `X-Cloud-Trace-Context`, as Cloud Logging wants it. */
export function traceOf(header: string | undefined, project: string): string | undefined {
  if (!header) return undefined;
  const w3c = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(header);
  const cloud = /^([0-9a-f]{32})(\/|;|$)/.exec(header);
  const id = w3c?.[1] ?? cloud?.[1];
  return id ? `projects/${project}/traces/${id}` : undefined;
}
