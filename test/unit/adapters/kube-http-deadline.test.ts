import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { withAbortSignal } from '../../../shared/abort-scope.js';
import { KubeHttp, type KubeHttpOptions } from '../../../shared/adapters/kube/kube-http.js';
import { TransientError } from '../../../shared/errors.js';

// An apiserver that accepts TCP and never answers: without a signal, a request waits out its 20 s timeout and is
// retried up to 6 times. The scope's signal (a cluster's deadline) must end it, and its retries, at once.
let server: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function silentCluster(options: KubeHttpOptions = {}): KubeHttp {
  const endpoint = {
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tls: async () => ({}),
    credentials: async () => ({ authorization: 'Bearer t' }),
  };
  return new KubeHttp(endpoint, options);
}

test("a request to a silent apiserver ends when its scope's signal aborts, with the signal's reason", async () => {
  const http = silentCluster();
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(new TransientError('cluster b did not finish within 0.3 s')), 300);
  const request = withAbortSignal(controller.signal, () => http.send({ method: 'GET', path: '/api/v1' }));
  await expect(request).rejects.toThrow(TransientError);
  await expect(request).rejects.toThrow(/^GET \/api\/v1: cluster b did not finish within 0\.3 s$/);
  expect(performance.now() - started).toBeLessThan(2_000);
  await http.close();
});

test('a request still waiting for a connection ends when the signal aborts, as the one under way does', async () => {
  const http = silentCluster({ connections: 1 });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new TransientError('cluster b did not finish within 0.3 s')), 300);
  const started = performance.now();
  const requests = withAbortSignal(controller.signal, () =>
    Promise.allSettled([http.send({ method: 'GET', path: '/api/v1' }), http.send({ method: 'GET', path: '/apis' })]),
  );
  const [underWay, waiting] = await requests;
  expect(underWay).toMatchObject({ status: 'rejected', reason: expect.any(TransientError) });
  expect(waiting).toMatchObject({ status: 'rejected', reason: expect.any(TransientError) });
  expect(performance.now() - started).toBeLessThan(2_000);
  await http.close();
});

test('a request begun after the signal aborted is not sent', async () => {
  const http = silentCluster();
  const before = sockets.length;
  const controller = new AbortController();
  controller.abort(new TransientError('past the deadline'));
  await expect(withAbortSignal(controller.signal, () => http.send({ method: 'GET', path: '/api/v1' }))).rejects.toThrow(
    /past the deadline/,
  );
  expect(sockets.length).toBe(before);
  await http.close();
});

test("without a signal, each try ends at the request timeout (undici's headers timeout); the last is transient", async () => {
  const http = silentCluster({ requestTimeoutMs: 200, attempts: 2 });
  const before = sockets.length;
  const started = performance.now();
  const request = http.send({ method: 'GET', path: '/api/v1' });
  await expect(request).rejects.toThrow(TransientError);
  await expect(request).rejects.toThrow(/^GET \/api\/v1: Headers Timeout Error$/);
  expect(performance.now() - started).toBeGreaterThanOrEqual(400);
  expect(sockets.length - before).toBeGreaterThanOrEqual(1);
  await http.close();
});
