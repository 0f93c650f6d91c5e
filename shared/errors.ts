/**
 * Retrying later can succeed: an API unavailable, throttled, or an object changed under us. The event is redelivered.
 */
export class TransientError extends Error {
  override readonly name: string = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Another writer changed an object between our read and our write (HTTP 409): re-read and plan again. */
export class WriteConflictError extends TransientError {
  override readonly name: string = 'WriteConflictError';
}

/**
 * Retrying cannot help: the apiserver refused the request (403, 422), the function lacks a permission on the
 * Memorystore API, a setting is wrong. The event is acknowledged with the reason at ERROR and a `failed` record.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The resync caller is not who it must be. The message goes to the caller and the log, so it never quotes the token;
 * `principal` is the caller's verified-format email, for the log only.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly status: 401 | 403,
    message: string,
    readonly principal?: string,
  ) {
    super(message);
  }
}

/**
 * Configuration values are missing or malformed. The message names every bad variable, one per line, each with what
 * it expects, so one start-up shows them all.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ReadonlyArray<{ readonly variable: string; readonly message: string }>) {
    super(problems.map((p) => p.message).join('\n'));
  }

  static of(variable: string, expected: string, got: string | undefined, why?: string): ConfigError {
    const value = got === undefined ? 'nothing (it is not set)' : JSON.stringify(got);
    return new ConfigError([
      { variable, message: `${variable}: expected ${expected}, got ${value}${why ? `: ${why}` : ''}` },
    ]);
  }
}

/** An answer of the Kubernetes API outside 2xx, with its status and the Status object's reason and message. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** A list that could not be read to its end. Never an empty or shorter answer: a partial read must not prune. */
export class IncompleteListError extends TransientError {
  override readonly name: string = 'IncompleteListError';
}

/** AUDIT_REQUIRED, and a record could be neither published nor kept: the invocation fails so it is tried again. */
export class AuditDeliveryError extends TransientError {
  override readonly name: string = 'AuditDeliveryError';
}

/**
 * What a failure is, by its class: the one place that decides how failures are met.
 *   conflict       another writer changed an object first (409)        read and plan again within the sync
 *   transient      unavailable, throttled, an incomplete read           retry later: redeliver, answer 503
 *   refused        the apiserver or an API refused for good (403, 422)  an event is acknowledged with a `failed` record
 *   misconfigured  a setting is wrong (a kubeconfig that is missing)    an event is redelivered, a resync answers 500
 *   unforeseen     anything else (a defect)                             as misconfigured
 * An event is acknowledged only when it can never succeed: anything that a fix of the deployment could make succeed
 * is redelivered, and what never succeeds lands on the dead-letter topic with its message intact.
 */
export type FailureClass = 'conflict' | 'transient' | 'refused' | 'misconfigured' | 'unforeseen';

export function failureClass(error: unknown): FailureClass {
  if (error instanceof WriteConflictError) return 'conflict';
  if (error instanceof TransientError) return 'transient';
  if (error instanceof PermanentError || error instanceof AuthError) return 'refused';
  if (error instanceof ConfigError) return 'misconfigured';
  return 'unforeseen';
}

/** Within one sync: a write met a newer version; read the cluster and plan again. */
export const replans = (error: unknown): boolean => failureClass(error) === 'conflict';

/** Calling again soon may succeed (HTTP 503 with Retry-After rather than 500). */
export const retriesSoon = (error: unknown): boolean => ['conflict', 'transient'].includes(failureClass(error));

/**
 * An event whose reconcile failed so is acknowledged (with a `failed` record), since every redelivery would fail alike.
 */
export const acknowledgesEvent = (error: unknown): boolean => failureClass(error) === 'refused';

/** A failure whose failed writes are already in the audit trail, so no second record of the same failure is made. */
export type RecordedFailure = Error & { readonly auditRecorded: true };

/** Marks the error itself: the mark goes wherever the error is thrown or copied to, with nothing kept beside it. */
export const recordedFailure = <E extends Error>(error: E): E & RecordedFailure =>
  Object.assign(error, { auditRecorded: true as const });

export const wasRecorded = (error: unknown): error is RecordedFailure =>
  error instanceof Error && 'auditRecorded' in error && error.auditRecorded === true;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
