import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The audit policy of the bench: one Metadata-level event per request, written when the response is complete; the
 * apiserver's own loopback requests are left out. Metadata carries who, what verb on which resource and the status,
 * which is what the counts need (no bodies: their bytes are counted at the proxy instead).
 */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
  - level: None
    users: [system:apiserver]
  - level: Metadata
`;

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export interface RequestSummary {
  readonly requests: number;
  /** create, update, patch and delete requests: a no-op must send none. */
  readonly writes: number;
  /** "verb resource" → count, e.g. "list serviceentries" → 4. */
  readonly byKind: ReadonlyMap<string, number>;
  /** HTTP status → count, for statuses of 400 and above. */
  readonly failures: ReadonlyMap<number, number>;
}

interface AuditEvent {
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string };
  requestURI?: string;
  responseStatus?: { code?: number };
}

const bump = <K>(map: Map<K, number>, key: K): void => void map.set(key, (map.get(key) ?? 0) + 1);

/**
 * "serviceentries", "services/status", or for a request with no object (API discovery) its path:
 * "/apis/networking.istio.io/v1".
 */
function resourceOf(event: AuditEvent): string {
  if (!event.objectRef?.resource) return (event.requestURI ?? '?').split('?')[0]!;
  return [event.objectRef.resource, event.objectRef.subresource].filter(Boolean).join('/');
}

function parseLine(line: string): AuditEvent[] {
  try {
    return [JSON.parse(line) as AuditEvent];
  } catch {
    return [];
  }
}

/** Reads the apiserver's JSON audit log from a byte offset: mark() before a phase, summarize(mark, user) after. */
export class AuditLog {
  constructor(private readonly path: string) {}

  /** The current end of the log. */
  mark(): number {
    return statSync(this.path).size;
  }

  /** The requests `user` made since `from` (a mark()). */
  summarize(from: number, user: string): RequestSummary {
    const byKind = new Map<string, number>();
    const failures = new Map<number, number>();
    let requests = 0;
    let writes = 0;
    for (const event of this.eventsSince(from)) {
      if (event.user?.username !== user) continue;
      requests++;
      const verb = event.verb ?? '?';
      if (WRITE_VERBS.has(verb)) writes++;
      bump(byKind, `${verb} ${resourceOf(event)}`);
      const code = event.responseStatus?.code ?? 0;
      if (code >= 400) bump(failures, code);
    }
    return { requests, writes, byKind, failures };
  }

  private eventsSince(from: number): AuditEvent[] {
    const size = statSync(this.path).size;
    const buffer = Buffer.alloc(Math.max(0, size - from));
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, from);
    } finally {
      closeSync(fd);
    }
    // A line being written as we read (or one a mark fell inside) is incomplete: only whole lines count.
    return buffer.toString('utf8').split('\n').flatMap(parseLine);
  }
}

/** "list serviceentries 4, get services 1": the kinds of requests, most frequent first. */
export function formatKinds(summary: RequestSummary, limit = 6): string {
  const kinds = [...summary.byKind].sort((a, b) => b[1] - a[1]);
  const shown = kinds.slice(0, limit).map(([kind, n]) => `${kind} ${n}`);
  return kinds.length > limit ? `${shown.join(', ')}, ...` : shown.join(', ');
}

/** "patch services 1": only the write requests, for showing what a no-op wrote. */
export function formatWrites(summary: RequestSummary): string {
  return [...summary.byKind]
    .filter(([kind]) => WRITE_VERBS.has(kind.split(' ')[0]!))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
}

export function formatFailures(summary: RequestSummary): string {
  return [...summary.failures].map(([code, n]) => `HTTP ${code} ×${n}`).join(', ');
}
