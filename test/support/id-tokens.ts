import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/**
 * A local stand-in for Google's token signing: tests mint identity tokens with their own key and serve its public key
 * where google-auth-library fetches Google's signing certificates (ID_TOKEN_CERTS_URL).
 */
export interface TokenIssuer {
  readonly certsUrl: string;
  sign(claims: { email: string; audience: string; emailVerified?: boolean; expiresInSeconds?: number; issuer?: string }): Promise<string>;
  /** A token signed by a key the certificates do not list. */
  signWithUnknownKey(claims: { email: string; audience: string }): Promise<string>;
  close(): Promise<void>;
}

async function signer(key: CryptoKey, kid: string, claims: Parameters<TokenIssuer['sign']>[0]): Promise<string> {
  return new SignJWT({ email: claims.email, email_verified: claims.emailVerified ?? true })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(claims.issuer ?? 'https://accounts.google.com')
    .setAudience(claims.audience)
    .setSubject('1234567890')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.expiresInSeconds ?? 3600))
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
