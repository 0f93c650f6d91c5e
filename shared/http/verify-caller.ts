import type { OAuth2Client } from 'google-auth-library';
import { AuthError, TransientError } from '../errors.js';
import type { ResyncAuth } from '../config/settings.js';
import { tokenHeaders, tokenIn, type CallerHeaders, type PresentedToken } from './bearer-token.js';
import { checkClaims, decodeClaims, type IdTokenClaims } from './id-token-claims.js';

export interface Caller {
  readonly email: string;
  /** Cloud Scheduler's own identity: its calls are recorded as scheduled rather than manual. */
  readonly scheduled: boolean;
}

let client: OAuth2Client | undefined;
let clientCertsUrl: string | undefined;

/**
 * One client per process: it caches Google's signing certificates between calls. The library is loaded on first use,
 * so `cloud-run` mode, which checks claims only, never pays for it at start-up.
 */
async function oauthClient(certsUrl: string | undefined): Promise<OAuth2Client> {
  if (!client || clientCertsUrl !== certsUrl) {
    // Through `default` (module.exports), as Node gives a CommonJS package to import(): the deployed bundle's chunks
    // give it only so (https://github.com/evanw/esbuild/issues/3245).
    const { OAuth2Client } = (await import('google-auth-library')).default;
    client = new OAuth2Client(certsUrl ? { endpoints: { oauth2FederatedSignonPemCertsUrl: certsUrl } } : {});
    clientCertsUrl = certsUrl;
  }
  return client;
}

/**
 * Who is calling `resync`. The first line is the platform: Cloud Run IAM lets only principals with `roles/run.invoker`
 * reach the function at all (https://cloud.google.com/functions/docs/securing/authenticating). This second line checks
 * the identity token again, in one of two modes (RESYNC_AUTH):
 * - `cloud-run`: the token the platform checked, with its signature replaced by `SIGNATURE_REMOVED_BY_GOOGLE`. A
 *   token with a real signature did not pass the platform's check, so it is refused; the claims are checked here.
 * - `verify`: the first intact token, verified with Google's keys (signature, audience, issuer, expiry).
 * Either way the email must be verified and listed in RESYNC_ALLOWED_PRINCIPALS.
 */
export async function verifyCaller(
  headers: CallerHeaders,
  settings: ResyncAuth,
  nowMs: number = Date.now(),
): Promise<Caller> {
  const claims =
    settings.mode === 'cloud-run'
      ? platformCheckedClaims(headers, settings, nowMs)
      : await verifiedClaims(headers, settings);
  return authorise(claims, settings);
}

function platformCheckedClaims(headers: CallerHeaders, settings: ResyncAuth, nowMs: number): IdTokenClaims {
  // Only the header Cloud Run checked: X-Serverless-Authorization when present (Authorization is then the caller's own,
  // untouched and unchecked by the platform), else Authorization.
  const token = tokenIn(tokenHeaders(headers)[0]);
  if (!token.stripped)
    throw new AuthError(
      401,
      `identity token in ${token.header} still has its signature: with RESYNC_AUTH=cloud-run only a token checked by Cloud Run's front end (signature removed) is accepted`,
    );
  const claims = decodeClaims(token);
  checkClaims(claims, settings.audience, Math.floor(nowMs / 1000));
  return claims;
}

/**
 * The first intact token in Cloud Run's order. Behind Cloud Run, a caller that sends its token in both
 * X-Serverless-Authorization (checked and stripped by the platform) and Authorization (left intact) is verified on the
 * intact copy.
 */
async function verifiedClaims(headers: CallerHeaders, settings: ResyncAuth): Promise<IdTokenClaims> {
  // Read in order, and no further than needed: an `Authorization` behind an intact X-Serverless-Authorization is the
  // caller's own business (it may not even be a bearer token).
  let intact: PresentedToken | undefined;
  for (const presented of tokenHeaders(headers)) {
    const token = tokenIn(presented);
    if (!token.stripped) {
      intact = token;
      break;
    }
  }
  if (!intact)
    throw new AuthError(
      401,
      'identity token signature was removed by Cloud Run, so it cannot be verified: behind Cloud Run set RESYNC_AUTH=cloud-run, or send the token intact in Authorization too',
    );
  return verifySignature(intact, settings);
}

/** google-auth-library's messages quote the token or its claims; each is mapped to a fixed reason instead. */
const LIBRARY_REASONS: ReadonlyArray<[RegExp, string]> = [
  [/^(Wrong number of segments|Can't parse token|No issue time|No expiration time|iat field|exp field)/, 'malformed'],
  [/^No pem found/, 'signed by an unknown key'],
  [/^Invalid token signature/, 'bad signature'],
  [/^Expiration time too far/, 'lifetime longer than a day'],
  [/^Token used too early/, 'issued in the future'],
  [/^Token used too late/, 'expired'],
  [/^Invalid issuer/, 'not issued by Google'],
  [/^Wrong recipient/, 'wrong audience (it must be RESYNC_AUDIENCE, the URL called)'],
];

async function verifySignature(token: PresentedToken, settings: ResyncAuth): Promise<IdTokenClaims> {
  try {
    await (await oauthClient(settings.certsUrl)).verifyIdToken({ idToken: token.raw, audience: settings.audience });
    return decodeClaims(token);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    const message = error instanceof Error ? error.message : '';
    const reason = LIBRARY_REASONS.find(([pattern]) => pattern.test(message))?.[1];
    // Anything else (the signing keys could not be fetched) is not the caller's fault: retry later.
    if (!reason) throw new TransientError('could not verify the identity token (signing keys unavailable)');
    throw new AuthError(401, `identity token rejected: ${reason}`);
  }
}

const EMAIL = /^[^@\s,]{1,64}@[^@\s,]{1,190}$/;

function authorise(claims: IdTokenClaims, settings: ResyncAuth): Caller {
  const email = claims.email;
  if (!email || !EMAIL.test(email) || claims.email_verified !== true)
    throw new AuthError(403, 'identity token carries no verified email');
  if (!settings.allowedPrincipals.includes(email))
    throw new AuthError(403, 'the caller is not in RESYNC_ALLOWED_PRINCIPALS', email);
  return { email, scheduled: email === settings.schedulerPrincipal };
}
