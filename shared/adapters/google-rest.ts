import { setTimeout as wait } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import { backoffDelay, retryAfterMs } from '../backoff.js';
import { exchange } from './kube/exchange.js';

/** Where a token for a call comes from (Application Default Credentials: google-auth.ts); none for a local server. */
export type TokenSource = () => Promise<string | null | undefined>;

export interface RestCall {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline of the call, retries and their waits included. */
  readonly deadlineMs: number;
}

/** A call that failed: the HTTP status of the last answer, or none when no answer came (refused, reset, timed out). */
export class RestCallError extends Error {
  override readonly name = 'RestCallError';
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: ErrorOptions & { retryAfterMs?: number | undefined },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** The answer's Retry-After, where it gave one. */
  readonly retryAfterMs: number | undefined;
}

/** Tries of a call, as gaxios retries by default (three retries) and the client libraries retry a publish. */
const ATTEMPTS = 4;
const retried = (status: number | undefined): boolean =>
  status === undefined || status === 408 || status === 429 || status >= 500;

// One pool for every Google API the process calls: the undici Agent the apiserver client loads anyway, not a second
// HTTP stack (google-auth-library's gaxios with node-fetch and gcp-metadata cost the first event after a cold start
// about 70 ms of CPU to load and first use: docs/performance.md). Idle sockets do not hold the process open.
let shared: Dispatcher | undefined;
const pool = (): Dispatcher => (shared ??= new Agent({ keepAliveTimeout: 30_000 }));

async function once(call: RestCall, token: string | null | undefined, signal: AbortSignal): Promise<unknown> {
  const url = new URL(call.url);
  const answer = await exchange(
    pool(),
    {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: call.method,
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...call.headers,
      },
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
    },
    signal,
  );
  if (answer.statusCode >= 200 && answer.statusCode < 300) return answer.text ? JSON.parse(answer.text) : {};
  throw new RestCallError(
    `${call.method} ${call.url}: HTTP ${answer.statusCode}: ${answer.text.slice(0, 300)}`,
    answer.statusCode,
    { retryAfterMs: retryAfterMs(answer.headers['retry-after']) },
  );
}

/**
 * One JSON call to a Google REST API (or a local server standing in for it), with a token when one is given: 408,
 * 429, 5xx and no answer are retried with backoff (or the answer's Retry-After) up to four tries, within the deadline;
 * any other status fails at once. The caller words the failure (RestCallError's status).
 */
export async function callRest<T>(call: RestCall, token?: TokenSource): Promise<T> {
  const signal = AbortSignal.timeout(call.deadlineMs);
  for (let attempt = 1; ; attempt++) {
    try {
      // A token that could not be had is no answer of the call's own (a 404 of the metadata server is not the call's).
      const bearer = token ? await token().catch((error: unknown) => Promise.reject(noAnswer(call, error))) : undefined;
      return (await once(call, bearer, signal)) as T;
    } catch (error) {
      const failure = error instanceof RestCallError ? error : noAnswer(call, error);
      if (attempt >= ATTEMPTS || signal.aborted || !retried(failure.status)) throw failure;
      await wait(failure.retryAfterMs ?? backoffDelay(attempt), undefined, { signal }).catch(() => undefined);
    }
  }
}

function noAnswer(call: RestCall, error: unknown): RestCallError {
  const detail = error instanceof Error ? error.message : String(error);
  return new RestCallError(`${call.method} ${call.url}: no answer: ${detail}`, undefined, { cause: error });
}
