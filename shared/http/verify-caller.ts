import { OAuth2Client, type TokenPayload } from 'google-auth-library';
import { AuthError } from '../errors.js';
import type { ResyncAuth } from '../config/parse-config.js';

export interface Caller {
  readonly email: string;
  /** Cloud Scheduler's own identity: its calls are recorded as scheduled rather than manual. */
  readonly scheduled: boolean;
}

let client: OAuth2Client | undefined;
let clientCertsUrl: string | undefined;

/** One client per process: it caches Google's signing certificates between calls. */
function oauthClient(certsUrl: string | undefined): OAuth2Client {
  if (!client || clientCertsUrl !== certsUrl) {
    client = new OAuth2Client(certsUrl ? { endpoints: { oauth2FederatedSignonPemCertsUrl: certsUrl } } : {});
    clientCertsUrl = certsUrl;
  }
  return client;
}

/**
 * Checks that the caller holds a Google-signed identity token for our audience, from an allowed principal. Cloud Run
 * IAM (`roles/run.invoker`) checks the token too; checking here as well keeps the function safe if that is loosened.
 * https://cloud.google.com/functions/docs/securing/authenticating
 */
export async function verifyCaller(authorization: string | undefined, settings: ResyncAuth): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new AuthError(401, 'an identity token is required: Authorization: Bearer <token>');
  const payload = await verifiedPayload(match[1], settings);
  const email = payload?.email;
  if (!email || payload?.email_verified !== true) throw new AuthError(403, 'identity token carries no verified email');
  if (!settings.allowedPrincipals.includes(email)) throw new AuthError(403, `${email} is not in RESYNC_ALLOWED_PRINCIPALS`);
  return { email, scheduled: email === settings.schedulerPrincipal };
}

async function verifiedPayload(idToken: string, settings: ResyncAuth): Promise<TokenPayload | undefined> {
  try {
    const ticket = await oauthClient(settings.certsUrl).verifyIdToken({ idToken, audience: settings.audience });
    return ticket.getPayload();
  } catch (error) {
    // The reason (expired, wrong audience, bad signature) helps the caller, but the library appends the token or its
    // claims after a colon ("Invalid token signature: <jwt>"), and a token must never reach a response or a log.
    throw new AuthError(401, `identity token rejected: ${error instanceof Error ? (error.message.split(':')[0] ?? 'invalid') : 'invalid'}`);
  }
}
