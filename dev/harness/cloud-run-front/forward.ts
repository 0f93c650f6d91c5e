import { randomBytes } from 'node:crypto';
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { stripSignature } from '../id-tokens.js';
import type { CheckedHeader } from './check-token.js';

/**
 * What the front does to an admitted request on its way to the container:
 * - the checked token's signature is replaced by `SIGNATURE_REMOVED_BY_GOOGLE` ("Cloud Run removes the token signature
 *   before passing the token to the user container": https://cloud.google.com/run/docs/authenticating/service-to-service);
 *   the other header (`Authorization` when `X-Serverless-Authorization` was checked) passes untouched;
 * - `X-Google-*` and hop-by-hop headers are removed, `X-Cloud-Trace-Context`, `X-Forwarded-For` and
 *   `X-Forwarded-Proto` added (https://cloud.google.com/functions/docs/reference/headers);
 * - `Host` is the service's own host name.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface ForwardTo {
  readonly target: URL;
  readonly serviceHost: string;
  readonly checked: CheckedHeader;
  readonly token: string;
}

function forwardedHeaders(incoming: IncomingHttpHeaders, to: ForwardTo, clientIp: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !name.startsWith('x-google-')) headers[name] = value;
  }
  headers[to.checked] = `Bearer ${stripSignature(to.token)}`;
  headers['host'] = to.serviceHost;
  headers['x-forwarded-for'] = clientIp;
  headers['x-forwarded-proto'] = 'https';
  headers['x-cloud-trace-context'] ??=
    `${randomBytes(16).toString('hex')}/${BigInt(`0x${randomBytes(7).toString('hex')}`)};o=1`;
  return headers;
}

/** Streams the request to the container and its answer back. */
export function forward(request: IncomingMessage, response: ServerResponse, to: ForwardTo): void {
  const upstream = httpRequest(
    {
      host: to.target.hostname,
      port: to.target.port,
      method: request.method,
      path: request.url,
      headers: forwardedHeaders(request.headers, to, request.socket.remoteAddress ?? ''),
    },
    (answer) => {
      const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
      response.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => {
    if (!response.headersSent) response.writeHead(503, { 'content-type': 'text/html' });
    response.end('<html><body>Service Unavailable</body></html>');
  });
  request.pipe(upstream);
}
