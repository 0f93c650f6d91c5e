import https from 'node:https';
import { setTimeout as wait } from 'node:timers/promises';
import { backoffDelay, retryAfterMs } from '../backoff.js';

/**
 * node:http as CommonJS gives it. An ES module import of it reads every export to build the module's namespace, and
 * reading `WebSocket`, `CloseEvent` and `MessageEvent` loads Node's own undici (lib/http.js, `lazyUndici`): about
 * 20 ms of a first event, for exports never used. node:https has no such getters. (`getBuiltinModule`: Node 22.3 on,
 * package.json's `engines`.)
 */
const http = process.getBuiltinModule('node:http');

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

// Node's own HTTP client, with keep-alive: google-auth-library's gaxios with node-fetch and gcp-metadata cost the first
// event after a cold start about 70 ms of CPU to load and first use (docs/performance.md), and undici's HTTP/1.1
// client compiles its WebAssembly parser on first use, where Node's parser is built in.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly text: string;
}

function exchange(call: RestCall, headers: Record<string, string>, signal: AbortSignal): Promise<Answer> {
  const url = new URL(call.url);
  const body = call.body !== undefined ? JSON.stringify(call.body) : undefined;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      { method: call.method, headers, agent: agents[url.protocol as 'http:' | 'https:'], signal },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function once(call: RestCall, token: string | null | undefined, signal: AbortSignal): Promise<unknown> {
  const headers = {
    accept: 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...call.headers,
  };
  const answer = await exchange(call, headers, signal);
  if (answer.status >= 200 && answer.status < 300) return answer.text ? JSON.parse(answer.text) : {};
  throw new RestCallError(
    `${call.method} ${call.url}: HTTP ${answer.status}: ${answer.text.slice(0, 300)}`,
    answer.status,
    {
      retryAfterMs: retryAfterMs(answer.retryAfter),
    },
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
