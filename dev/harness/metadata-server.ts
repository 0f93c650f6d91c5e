import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The part of the Compute Engine metadata server that Application Default Credentials read on Cloud Run: the default
 * service account's access token. Requests must carry `Metadata-Flavor: Google` and answers carry it too; the token
 * is `{access_token, expires_in, token_type}`.
 * https://cloud.google.com/compute/docs/access/authenticate-workloads#applications
 * https://cloud.google.com/run/docs/container-contract#metadata-server
 * google-auth-library finds it at GCE_METADATA_HOST (gcp-metadata), without probing when METADATA_SERVER_DETECTION is
 * `assume-present`. The token handed out is whatever the local apiserver accepts for the functions' user, so the GKE
 * path (server, CA, an ADC token) runs as deployed, without @kubernetes/client-node.
 */
export interface MetadataServer {
  /** `127.0.0.1:port`, for GCE_METADATA_HOST. */
  readonly host: string;
  /** The paths asked for, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

const ANSWERS: Record<string, (token: string) => unknown> = {
  '/computeMetadata/v1/instance/service-accounts/default/token': (token) => ({
    access_token: token,
    expires_in: 3599,
    token_type: 'Bearer',
  }),
  '/computeMetadata/v1/universe/universe-domain': () => 'googleapis.com',
};

export async function startMetadataServer(accessToken: string, projectId: string): Promise<MetadataServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://metadata').pathname;
    requests.push(path);
    response.setHeader('Metadata-Flavor', 'Google');
    if (request.headers['metadata-flavor'] !== 'Google') return void response.writeHead(403).end();
    if (path === '/computeMetadata/v1/project/project-id') return void response.end(projectId);
    const answer = ANSWERS[path];
    if (!answer) return void response.writeHead(404).end();
    const body = answer(accessToken);
    if (typeof body === 'string') return void response.end(body);
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
