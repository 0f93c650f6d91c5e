import fc from 'fast-check';
import pLimit from 'p-limit';
import { serveFunction } from '../../dev/harness/functions-framework/serve-function.js';
import { functionEnvironment } from '../../dev/rig/function-environment.js';
import { eventCase, mayBeActedOn, type EventCase } from '../../dev/fuzz/audit-event-cases.js';
import type { PhaseRow } from './figures.js';

const LOG_LINE_LIMIT = 16 * 1024;

interface Sent {
  readonly id: string;
  readonly status: number;
  readonly mayAct: boolean;
  readonly scalar: boolean;
  /**
   * A `ce-type` of only spaces reaches the server as an empty header (HTTP trims field values), so the Functions
   * Framework does not read the request as a binary CloudEvent: it hands the function an event with no id or type,
   * which the function acknowledges with a reason under no event id. Such answers are judged by that line's reason.
   */
  readonly blankType: boolean;
}
interface Logged {
  readonly message: string;
  readonly length: number;
}

async function post(url: string, id: string, generated: EventCase): Promise<number> {
  const headers = {
    'ce-id': id,
    'ce-specversion': '1.0',
    'ce-type': generated.type,
    'ce-source': '//pubsub.googleapis.com/projects/test-project/topics/t',
    'content-type': 'application/json',
  };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: generated.body,
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0; // no answer at all: the worst kind of crash
  }
}

const countBy = (keys: string[]): Record<string, number> =>
  keys.reduce<Record<string, number>>((counts, key) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }), {});

/** The same judgement as the Functions Framework fuzz test: acknowledged with a reason, or ours and retried. */
function crashed(sent: Sent, logged: Logged | undefined, untyped: number): boolean {
  if (sent.blankType && !sent.scalar) return !(sent.status === 204 && untyped > 0);
  if (sent.scalar) return !(sent.status === 400 && logged === undefined);
  if (sent.status === 500) return !(sent.mayAct && logged?.message === 'event failed; it will be retried');
  return !(sent.status === 204 && logged?.message === 'event acknowledged without action');
}

/**
 * `count` generated events (arbitrary JSON, wrong types, prototype keys, bad base64, 3 MB fields) posted to
 * `syncOnAuditLog` in its own Functions Framework process, with no cluster behind it: nothing may crash it, and no
 * log line may be longer than 16 KB.
 */
export async function fuzzPhase(count: number, seed: number): Promise<PhaseRow> {
  const started = Date.now();
  // Nothing listens at either address: an event that would be acted on fails there and is retried.
  const env = functionEnvironment({
    project: 'test-project',
    memorystoreEndpoint: '127.0.0.1:9',
    kubeconfig: '/nonexistent/kubeconfig',
    namespace: 'istio-system',
    ownerId: 'chaos-fuzz',
    resync: { audience: 'https://resync-fuzz-uc.a.run.app', principals: ['operator@example.com'] },
  });
  const fn = await serveFunction('syncOnAuditLog', env);
  const logged = new Map<string, Logged>();
  let longLines = 0;
  let untypedAcks = 0;
  const drain = (): void => {
    for (const line of fn.lines.splice(0)) {
      const length = JSON.stringify(line).length;
      if (length > LOG_LINE_LIMIT) longLines++;
      if (line['event_id'] === undefined && line['reason'] === 'event type undefined is not handled') untypedAcks++;
      if (typeof line['event_id'] === 'string')
        logged.set(line['event_id'], { message: String(line['message']), length });
    }
  };
  try {
    const limit = pLimit(8);
    const sent = await Promise.all(
      fc.sample(eventCase, { numRuns: count, seed }).map((generated, index) =>
        limit(async (): Promise<Sent> => {
          const id = `chaos-fuzz-${index}`;
          const status = await post(fn.url, id, generated);
          if (index % 50 === 0) drain(); // the captured lines are let go as they come: some are megabytes long
          return {
            id,
            status,
            mayAct: mayBeActedOn(generated.entry, 'test-project'),
            scalar: !/^[[{]/.test(generated.body),
            blankType: generated.type.trim() === '',
          };
        }),
      ),
    );
    // The function's log lines reach this process through a pipe, behind the HTTP answers: wait for every one.
    const deadline = Date.now() + 60_000;
    for (drain(); sent.some((s) => !s.scalar && !s.blankType && !logged.has(s.id)) && Date.now() < deadline; drain())
      await new Promise((resolve) => setTimeout(resolve, 200));
    const maxLogLine = Math.max(0, ...[...logged.values()].map((l) => l.length));
    const crashes = sent.filter((s) => crashed(s, logged.get(s.id), untypedAcks));
    const kinds = countBy(
      crashes.map(
        (s) =>
          `HTTP ${s.status}, ${s.scalar ? 'scalar body' : s.mayAct ? 'may be ours' : 'not ours'}, log: ${logged.get(s.id)?.message ?? 'none'}`,
      ),
    );
    const notes = [
      ...(longLines > 0 ? [`${longLines} log lines over 16 KB`] : []),
      ...Object.entries(kinds).map(([kind, n]) => `${n} × ${kind}`),
    ];
    return {
      phase: `fuzz (${count} events)`,
      seconds: Math.round((Date.now() - started) / 1000),
      events: count,
      crashes: crashes.length,
      maxLogLine,
      ...(notes.length ? { note: notes.join('; ') } : {}),
    };
  } finally {
    await fn.stop();
  }
}
