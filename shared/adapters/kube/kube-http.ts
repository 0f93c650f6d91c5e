import { setTimeout as wait } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
// The Agent alone, not undici's index: the index also loads fetch, WebSocket, EventSource, the cache and the mocks,
// about 40 ms of CPU on the first event after a cold start (docs/performance.md). undici has no exports map, so the
// file is its public path too.
import Agent from 'undici/lib/dispatcher/agent.js';
import { KubeApiError, TransientError } from '../../errors.js';
import { backoffDelay, retryAfterMs } from '../../backoff.js';
import { currentAbortSignal } from '../../abort-scope.js';
import type { KubeEndpoint } from './kube-endpoint.js';
import { exchange } from './exchange.js';

export interface KubeHttpOptions {
  /** Connections kept open to the apiserver; also the most requests in flight at once. */
  readonly connections?: number;
  /** Deadline of one request, from sending it to the last byte of the answer. */
  readonly requestTimeoutMs?: number;
  /** Tries of a request that failed in a way worth retrying (429, 5xx, a dropped or timed-out connection). */
  readonly attempts?: number;
  /** The transport (a mock one in tests); by default a pooled undici Agent with the endpoint's TLS material. */
  readonly dispatcher?: Dispatcher;
}

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
}

const RETRIED_STATUS = new Set([429, 500, 502, 503, 504]);
/**
 * A connection that failed or an answer cut short, by undici's error codes
 * (https://undici.nodejs.org/#/docs/api/Errors) and the system's for a socket refused, reset or unreachable: another
 * try may succeed. Anything else (a bad argument, the client closed, a request aborted) is not retried.
 */
const RETRIED_CODE = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

interface Connection {
  readonly origin: string;
  readonly basePath: string;
  readonly dispatcher: Dispatcher;
}

/**
 * A small client for the Kubernetes REST API. The endpoint supplies the server, TLS material and credentials; the
 * requests go through one undici Agent, so every call reuses a pooled keep-alive connection (client-node 2.0 builds a
 * new dispatcher, hence a new TLS connection, per call). Transient failures are retried here with backoff and jitter,
 * honouring Retry-After, so one flaky answer does not fail a whole reconcile.
 */
export class KubeHttp {
  private connection?: Promise<Connection>;
  private connected?: Connection;
  private readonly connections: number;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly dispatcher?: Dispatcher;

  constructor(
    private readonly endpoint: KubeEndpoint,
    options: KubeHttpOptions = {},
  ) {
    this.connections = options.connections ?? 16;
    this.timeoutMs = options.requestTimeoutMs ?? 20_000;
    this.attempts = options.attempts ?? 6;
    if (options.dispatcher) this.dispatcher = options.dispatcher;
  }

  /** The parsed JSON answer; throws KubeApiError for an answer outside 2xx, TransientError when retries ran out. */
  async send<T>(request: KubeRequest): Promise<T> {
    // A scope's signal (a cluster's deadline in an event) ends the request in flight and the retries after it.
    const signal = currentAbortSignal();
    for (let attempt = 1; ; attempt++) {
      try {
        signal?.throwIfAborted();
        return await this.once<T>(request, signal);
      } catch (error) {
        if (signal?.aborted) throw abortReason(signal, request);
        const delay = this.retryDelay(error, attempt);
        if (delay === undefined) throw this.finalError(error, request);
        // The wait ends with the scope too; the next turn then reports the abort.
        await wait(delay, undefined, signal ? { signal } : {}).catch(() => undefined);
      }
    }
  }

  /** Closes the pooled connections; a transport given in the options is its giver's to close. */
  async close(): Promise<void> {
    if (this.connection && !this.dispatcher) await (await this.connection).dispatcher.close();
  }

  private retryDelay(error: unknown, attempt: number): number | undefined {
    if (attempt >= this.attempts || !isRetryable(error)) return undefined;
    const hinted = error instanceof RetryAfter ? error.ms : undefined;
    return hinted ?? backoffDelay(attempt);
  }

  private finalError(error: unknown, request: KubeRequest): Error {
    const action = `${request.method} ${request.path}`;
    if (error instanceof RetryAfter)
      return new TransientError(
        `${action}: Kubernetes API answered HTTP ${error.status} after ${this.attempts} tries`,
        { cause: error.cause },
      );
    if (error instanceof KubeApiError) {
      return RETRIED_STATUS.has(error.status)
        ? new TransientError(
            `${action}: Kubernetes API answered HTTP ${error.status} after ${this.attempts} tries: ${error.message}`,
            { cause: error },
          )
        : error;
    }
    if (isConnectionError(error)) return new TransientError(`${action}: ${(error as Error).message}`, { cause: error });
    return error instanceof Error ? error : new Error(String(error));
  }

  private async once<T>(request: KubeRequest, signal?: AbortSignal): Promise<T> {
    // The connection is awaited once; after that every request takes it as it is, without a promise of its own.
    const { origin, basePath, dispatcher } = this.connected ?? (this.connected = await this.connect());
    const headers = headersOf(request, await this.endpoint.credentials());
    const answer = await exchange(
      dispatcher,
      {
        origin,
        path: `${basePath}${request.path}${queryString(request.query)}`,
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      },
      signal,
    );
    const { text } = answer;
    if (answer.statusCode >= 200 && answer.statusCode < 300) return (text ? JSON.parse(text) : {}) as T;
    const failure = apiError(answer.statusCode, text);
    const wait = retryAfterMs(answer.headers['retry-after']);
    if (wait !== undefined && RETRIED_STATUS.has(answer.statusCode))
      throw new RetryAfter(answer.statusCode, wait, failure);
    throw failure;
  }

  private connect(): Promise<Connection> {
    this.connection ??= this.makeConnection();
    return this.connection;
  }

  private async makeConnection(): Promise<Connection> {
    const url = new URL(this.endpoint.server);
    const dispatcher =
      this.dispatcher ??
      new Agent({
        connections: this.connections,
        keepAliveTimeout: 30_000,
        connect: { ...(await this.endpoint.tls()) },
      });
    return { origin: url.origin, basePath: url.pathname.replace(/\/$/, ''), dispatcher };
  }
}

function headersOf(request: KubeRequest, credentials: Record<string, string>): Record<string, string> {
  return {
    ...credentials,
    accept: 'application/json',
    ...(request.body !== undefined ? { 'content-type': request.contentType ?? 'application/json' } : {}),
  };
}

/** A 429 or 5xx that said when to come back. */
class RetryAfter extends Error {
  constructor(
    readonly status: number,
    readonly ms: number,
    override readonly cause: KubeApiError,
  ) {
    super(cause.message);
  }
}

/** What ended the scope (the deadline's own error, naming the cluster), with the request it cut short. */
function abortReason(signal: AbortSignal, request: KubeRequest): Error {
  const reason: unknown = signal.reason;
  const action = `${request.method} ${request.path}`;
  if (reason instanceof TransientError) return new TransientError(`${action}: ${reason.message}`, { cause: reason });
  return new TransientError(`${action}: aborted`, { cause: reason });
}

/** The error's code, or its cause's: a system error can come wrapped. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const codes = [error, error.cause].map((e) => (e as { code?: unknown } | undefined)?.code);
  return codes.some((code) => typeof code === 'string' && RETRIED_CODE.has(code));
}

function isRetryable(error: unknown): boolean {
  if (error instanceof RetryAfter) return true;
  if (error instanceof KubeApiError) return RETRIED_STATUS.has(error.status);
  return isConnectionError(error);
}

function apiError(status: number, body: string): KubeApiError {
  let parsed: { reason?: unknown; message?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // not a Status object (a proxy's error page, say): the status code is what we have
  }
  const reason = typeof parsed.reason === 'string' ? parsed.reason : '';
  const message = typeof parsed.message === 'string' ? parsed.message.slice(0, 500) : `HTTP ${status}`;
  return new KubeApiError(status, reason, message);
}

function queryString(query: KubeRequest['query']): string {
  const entries = Object.entries(query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}
