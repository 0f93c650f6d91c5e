import type { TokenIssuer } from '../../dev/harness/id-tokens.js';

export const RESYNC_AUDIENCE = 'https://bench.local/resync';
export const OPERATOR = 'operator@example.com';

export interface ResyncAnswer {
  readonly status: number;
  readonly summary: Record<string, number>;
  readonly errors: ReadonlyArray<{ instance?: string; message?: string }>;
  readonly error?: string;
}

/** One authenticated call of the resync function, as Cloud Scheduler or an operator makes it. */
export async function callResync(url: string, issuer: TokenIssuer, signal: AbortSignal): Promise<ResyncAnswer> {
  const token = await issuer.sign({ email: OPERATOR, audience: RESYNC_AUDIENCE });
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal });
  const body = (await response.json().catch(() => ({}))) as Partial<ResyncAnswer>;
  return {
    status: response.status,
    summary: body.summary ?? {},
    errors: body.errors ?? [],
    ...(typeof body.error === 'string' ? { error: body.error } : {}),
  };
}

/** Why a resync answer is not a success, or undefined when it is (200 and no instance errors). */
export function resyncFailure(answer: ResyncAnswer): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.error ?? 'no error message'}`;
  if (answer.errors.length > 0)
    return `${answer.errors.length} instance errors, e.g. ${answer.errors[0]?.message ?? '?'}`;
  return undefined;
}
