import type { IncomingHttpHeaders } from 'node:http';
import { importSPKI, importX509, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { GCLOUD_CLIENT_ID } from './gcloud.js';

/**
 * The check Cloud Run's front end makes before a request reaches a service that requires authentication
 * (https://cloud.google.com/run/docs/authenticating/service-to-service, https://cloud.google.com/run/docs/securing/managing-access):
 * - the identity token is read from `X-Serverless-Authorization` when that header is present, else from `Authorization`
 *   ("If both headers are present, Cloud Run uses X-Serverless-Authorization": GoogleCloudPlatform/cloud-run-proxy#25,
 *   confirmed there by the Cloud Run team);
 * - it must be a Google-signed identity token (RS256, Google's keys, issuer accounts.google.com) that has not expired,
 *   whose audience is the service's URL or one of its custom audiences
 *   (https://cloud.google.com/run/docs/configuring/custom-audiences), or gcloud's own client id: a token printed by
 *   `gcloud auth print-identity-token` invokes a service in any project where the account may invoke it, though it
 *   carries no audience of the service and "can be replayed" (https://cloud.google.com/run/docs/authenticating/developers):
 *   otherwise 401;
 * - its principal must hold `roles/run.invoker` on the service: otherwise 403, and the container never sees the
 *   request.
 * Assumptions (not documented): the front's clock tolerance (30 s here); that a missing token is 401 (the real front
 * may answer 403); that `email_verified` is left to IAM's own principal mapping (not checked here).
 */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];
const CLOCK_TOLERANCE_SECONDS = 30;

export type CheckedHeader = 'x-serverless-authorization' | 'authorization';

export type Admission =
  | { readonly admitted: true; readonly header: CheckedHeader; readonly token: string; readonly email: string }
  | { readonly admitted: false; readonly status: 401 | 403; readonly header?: CheckedHeader; readonly reason: string };

export interface FrontPolicy {
  readonly audiences: readonly string[];
  readonly invokers: readonly string[];
  /** The signing keys, by key id (fetched once from the certificates URL). */
  keys(): Promise<ReadonlyMap<string, CryptoKey>>;
}

/** Fetches a Google-style certificates document: `{ kid: PEM }`, X.509 certificates or SPKI public keys. */
export async function fetchSigningKeys(certsUrl: string): Promise<ReadonlyMap<string, CryptoKey>> {
  const response = await fetch(certsUrl);
  const pems = (await response.json()) as Record<string, string>;
  const keys = new Map<string, CryptoKey>();
  for (const [kid, pem] of Object.entries(pems))
    keys.set(kid, pem.includes('BEGIN CERTIFICATE') ? await importX509(pem, 'RS256') : await importSPKI(pem, 'RS256'));
  return keys;
}

function headerValue(headers: IncomingHttpHeaders, name: CheckedHeader): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function verify(token: string, policy: FrontPolicy): Promise<JWTPayload | string> {
  const keys = await policy.keys();
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => keys.get(header.kid ?? '') ?? Promise.reject(new Error('unknown key')),
      {
        algorithms: ['RS256'],
        issuer: GOOGLE_ISSUERS,
        audience: [...policy.audiences, GCLOUD_CLIENT_ID],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat', 'aud', 'iss'],
      },
    );
    return payload;
  } catch (error) {
    return error instanceof Error ? error.message : 'invalid';
  }
}

/** Decides one request: admitted (with the header that was checked) or refused with the front's status. */
export async function admit(headers: IncomingHttpHeaders, policy: FrontPolicy): Promise<Admission> {
  const header: CheckedHeader =
    headerValue(headers, 'x-serverless-authorization') !== undefined ? 'x-serverless-authorization' : 'authorization';
  const value = headerValue(headers, header);
  if (value === undefined) return { admitted: false, status: 401, reason: 'no identity token' };
  const token = /^Bearer +(\S+)$/i.exec(value)?.[1];
  if (!token) return { admitted: false, status: 401, header, reason: 'not a bearer token' };
  const payload = await verify(token, policy);
  if (typeof payload === 'string')
    return { admitted: false, status: 401, header, reason: `token not valid: ${payload}` };
  const email = typeof payload['email'] === 'string' ? payload['email'] : undefined;
  if (!email || !policy.invokers.includes(email))
    return { admitted: false, status: 403, header, reason: 'principal lacks roles/run.invoker' };
  return { admitted: true, header, token, email };
}
