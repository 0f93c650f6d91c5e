import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { gkeEndpoint } from '../../../shared/adapters/kube-config.js';
import { KubeHttp } from '../../../shared/adapters/kube/kube-http.js';
import { kubeConfigEndpoint } from '../../../shared/adapters/kube/kubeconfig-endpoint.js';

// Which credentials each request carries: a GKE access token expires after about an hour, so the client must ask its
// token source per request, never keep the first token it was given.
let server: Server;
const seen: Array<string | undefined> = [];

function kubeConfigFor(port: number, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => void seen.splice(0));

const port = (): number => (server.address() as AddressInfo).port;

test("a GKE endpoint's token source is asked for every request", async () => {
  let issued = 0;
  const endpoint = gkeEndpoint({ kind: 'gke', server: `http://127.0.0.1:${port()}` }, async () => `token-${++issued}`);
  const http = new KubeHttp(endpoint);
  await http.send({ method: 'GET', path: '/api/v1' });
  await http.send({ method: 'GET', path: '/api/v1' });
  await http.close();
  expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);
});

test("a kubeconfig's static token is sent as it is", async () => {
  const http = new KubeHttp(kubeConfigEndpoint(kubeConfigFor(port(), 'static')));
  await http.send({ method: 'GET', path: '/api/v1' });
  await http.send({ method: 'GET', path: '/api/v1' });
  await http.close();
  expect(seen).toEqual(['Bearer static', 'Bearer static']);
});
