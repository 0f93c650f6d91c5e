import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { SIGNATURE_REMOVED } from '../../shared/http/bearer-token.js';

/**
 * A local stand-in for Google's token signing: tests mint identity tokens with their own key and serve its public key
 * where google-auth-library (ID_TOKEN_CERTS_URL) and the local Cloud Run front fetch Google's signing keys, as a map
 * of key id to PEM like https://www.googleapis.com/oauth2/v1/certs.
 */
export interface TokenClaims {
  /** Absent: a token with no email claim (a service account's token minted without includeEmail). */
  email?: string;
  audience: string;
  emailVerified?: boolean;
  expiresInSeconds?: number;
  /** Seconds to move the issue time by (positive: issued in the future). */
  issuedAtOffsetSeconds?: number;
  issuer?: string;
}

export interface TokenIssuer {
  readonly certsUrl: string;
  sign(claims: TokenClaims): Promise<string>;
  /** A token signed by a key the certificates do not list. */
  signWithUnknownKey(claims: TokenClaims): Promise<string>;
  /**
   * What anyone can make without a key: a token shaped like one Cloud Run's front end has checked, with the
   * platform's placeholder for a signature. Only the front's own check stands between it and the function.
   */
  forgeStripped(claims: TokenClaims): Promise<string>;
  close(): Promise<void>;
}

/** The token as Cloud Run's front end hands it to the container: the signature replaced by the placeholder. */
export function stripSignature(token: string): string {
  const [header, payload] = token.split('.');
  return `${header}.${payload}.${SIGNATURE_REMOVED}`;
}

async function signer(key: CryptoKey, kid: string, claims: TokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = now + (claims.issuedAtOffsetSeconds ?? 0);
  const identity =
    claims.email === undefined ? {} : { email: claims.email, email_verified: claims.emailVerified ?? true };
  return new SignJWT(identity)
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(claims.issuer ?? 'https://accounts.google.com')
    .setAudience(claims.audience)
    .setSubject('1234567890')
    .setIssuedAt(issuedAt)
    .setExpirationTime(now + (claims.expiresInSeconds ?? 3600))
    .sign(key);
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const known = await generateKeyPair('RS256');
  const unknown = await generateKeyPair('RS256');
  const body = JSON.stringify({ 'test-key': await exportSPKI(known.publicKey) });
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    certsUrl: `http://127.0.0.1:${port}/oauth2/v1/certs`,
    sign: (claims) => signer(known.privateKey, 'test-key', claims),
    signWithUnknownKey: (claims) => signer(unknown.privateKey, 'test-key', claims),
    forgeStripped: async (claims) => stripSignature(await signer(unknown.privateKey, 'test-key', claims)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
