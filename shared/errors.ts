/** Retrying later can succeed: an API unavailable, throttled, or an object changed under us. The event is redelivered. */
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
 * How a failure is met. Permanent ones are known refusals; anything else, including errors no one foresaw, is retried:
 * a redelivery is cheap, and what never succeeds lands on the dead-letter topic with its message intact.
 */
export const isPermanent = (error: unknown): boolean => error instanceof PermanentError;

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

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
