import { AuthError } from '../errors.js';

/**
 * The signature segment Cloud Run's front end puts in place of an identity token's signature once it has verified the
 * token, before the request reaches the container ("Cloud Run removes the token signature before passing the token to
 * the user container"): https://cloud.google.com/run/docs/authenticating/service-to-service#acquire-token and
 * https://cloud.google.com/run/docs/troubleshooting#signature-removed
 */
export const SIGNATURE_REMOVED = 'SIGNATURE_REMOVED_BY_GOOGLE';

/** Google identity tokens are about 1 KB; anything far larger is refused before it is decoded. */
const MAX_TOKEN_LENGTH = 8192;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type TokenHeader = 'X-Serverless-Authorization' | 'Authorization';

/** The identity-token headers of a request, as received. */
export interface CallerHeaders {
  readonly authorization?: string | undefined;
  readonly serverlessAuthorization?: string | undefined;
}

/** A bearer token taken from one header, split into its three segments. */
export interface PresentedToken {
  readonly header: TokenHeader;
  readonly raw: string;
  readonly segments: readonly [header: string, payload: string, signature: string];
  /** The signature is the platform's placeholder: Cloud Run verified this token and removed its signature. */
  readonly stripped: boolean;
}

/** Splits the bearer token of one header; a header that is not `Bearer <JWT>` is refused. */
export function tokenIn(presented: PresentedHeader): PresentedToken {
  const { header, value } = presented;
  // Messages here are fixed: nothing of the header's value may reach a response or a log line.
  const match = /^Bearer +(\S+)$/i.exec(value);
  const raw = match?.[1];
  if (!raw || raw.length > MAX_TOKEN_LENGTH || !JWT_SHAPE.test(raw))
    throw new AuthError(401, `malformed ${header} header: expected "Bearer <identity token>"`);
  const [head = '', payload = '', signature = ''] = raw.split('.');
  return { header, raw, segments: [head, payload, signature], stripped: signature === SIGNATURE_REMOVED };
}

export interface PresentedHeader {
  readonly header: TokenHeader;
  readonly value: string;
}

/**
 * The headers that can carry the caller's identity token, in the order Cloud Run's front end reads them: when
 * `X-Serverless-Authorization` is present, Cloud Run checks it (and removes its signature) instead of `Authorization`,
 * which then reaches the container untouched. https://cloud.google.com/run/docs/authenticating/service-to-service#acquire-token
 * (the precedence is confirmed by the Cloud Run team in GoogleCloudPlatform/cloud-run-proxy#25).
 */
export function tokenHeaders(headers: CallerHeaders): [PresentedHeader, ...PresentedHeader[]] {
  const candidates: Array<[TokenHeader, string | undefined]> = [
    ['X-Serverless-Authorization', headers.serverlessAuthorization],
    ['Authorization', headers.authorization],
  ];
  const found = candidates
    .filter((c): c is [TokenHeader, string] => c[1] !== undefined && c[1] !== '')
    .map(([header, value]) => ({ header, value }));
  const [first, ...rest] = found;
  if (!first)
    throw new AuthError(
      401,
      'an identity token is required: Authorization: Bearer <token> (or X-Serverless-Authorization)',
    );
  return [first, ...rest];
}
