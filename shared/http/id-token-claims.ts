import * as z from 'zod';
import { AuthError } from '../errors.js';
import type { PresentedToken } from './bearer-token.js';

/**
 * The claims of a Google identity token that the resync checks, read without verifying the signature: for a token
 * whose signature Cloud Run's front end has verified and then removed. Every failure is a fixed message; nothing of
 * the token is quoted. Claims: https://cloud.google.com/docs/authentication/token-types#id-contents
 */
export interface IdTokenClaims {
  readonly aud: string;
  readonly iss: string;
  readonly exp: number;
  readonly iat: number;
  readonly email?: string | undefined;
  readonly email_verified?: boolean | undefined;
}

/** The issuers Google's own verifier accepts for identity tokens (google-auth-library `OAuth2Client.ISSUERS_`). */
export const GOOGLE_ISSUERS: readonly string[] = ['https://accounts.google.com', 'accounts.google.com'];
/** Tolerance for the clocks of the token's issuer and of this function. Both are Google's, so a minute is ample. */
export const CLOCK_SKEW_SECONDS = 60;
/** Google identity tokens live one hour; google-auth-library refuses any lifetime beyond a day, and so does this. */
export const MAX_LIFETIME_SECONDS = 86_400;

const object = z.record(z.string(), z.unknown());
const claimsSchema = z.object({
  aud: z.string(),
  iss: z.string(),
  exp: z.number(),
  iat: z.number(),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
});

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Decodes the header and payload of a token; refuses one that is not two JSON objects with the claims above. */
export function decodeClaims(token: PresentedToken): IdTokenClaims {
  const header = object.safeParse(decodeSegment(token.segments[0]));
  const claims = claimsSchema.safeParse(decodeSegment(token.segments[1]));
  if (!header.success || !claims.success)
    throw new AuthError(401, 'identity token rejected: malformed (header or claims)');
  return claims.data;
}

/**
 * The checks a verifier makes besides the signature (those of google-auth-library's `verifyIdToken`): audience,
 * issuer, expiry, issue time and lifetime. `aud` must equal the configured audience exactly (a string, as Google
 * issues it): the URL the caller called, so a token minted for another service is useless here.
 */
export function checkClaims(claims: IdTokenClaims, audience: string, nowSeconds: number): void {
  const reject = (reason: string): never => {
    throw new AuthError(401, `identity token rejected: ${reason}`);
  };
  if (claims.aud !== audience) reject('wrong audience (it must be RESYNC_AUDIENCE, the URL called)');
  if (!GOOGLE_ISSUERS.includes(claims.iss)) reject('not issued by Google');
  if (claims.exp + CLOCK_SKEW_SECONDS < nowSeconds) reject('expired');
  if (claims.iat - CLOCK_SKEW_SECONDS > nowSeconds) reject('issued in the future');
  if (claims.exp - claims.iat > MAX_LIFETIME_SECONDS) reject('lifetime longer than a day');
}
