import { errors, MockAgent } from 'undici';
import { withAbortSignal } from '../../../shared/abort-scope.js';
import { KubeHttp, type KubeHttpOptions } from '../../../shared/adapters/kube/kube-http.js';
import type { KubeEndpoint } from '../../../shared/adapters/kube/kube-endpoint.js';
import { listAllPages } from '../../../shared/adapters/kube/list-pages.js';
import { IncompleteListError, KubeApiError, TransientError } from '../../../shared/errors.js';

// The client's retry and error handling against undici's mock transport: each test scripts the apiserver's answers
// in order, one interceptor per request; a request beyond the script fails (net connect is off), and an answer left
// in the script was never asked for. Status bodies as the apiserver writes them:
// https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks
const ORIGIN = 'https://apiserver.test';
const endpoint: KubeEndpoint = {
  server: ORIGIN,
  tls: async () => ({}),
  credentials: async () => ({ authorization: 'Bearer t' }),
};
const status = (code: number, reason: string): string =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message: `${reason} here`, code });
const any = { path: (): boolean => true, method: (): boolean => true };

let mock: MockAgent;
beforeEach(() => {
  mock = new MockAgent();
  mock.disableNetConnect();
});
afterEach(async () => mock.close());

const client = (options: KubeHttpOptions = {}): KubeHttp => new KubeHttp(endpoint, { dispatcher: mock, ...options });
const apiserver = (): ReturnType<MockAgent['get']> => mock.get(ORIGIN);
const unanswered = (): number => mock.pendingInterceptors().length;
const get = { method: 'GET', path: '/api/v1/namespaces/istio-system/services/egress' } as const;

describe('retries', () => {
  test('a 429 with Retry-After is tried again after the time it asks for, not the shorter backoff', async () => {
    apiserver()
      .intercept(any)
      .reply(429, status(429, 'TooManyRequests'), { headers: { 'retry-after': '1' } });
    apiserver().intercept(any).reply(200, '{"kind":"Service"}');
    const started = performance.now();
    await expect(client().send(get)).resolves.toEqual({ kind: 'Service' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(unanswered()).toBe(0);
  });

  test('5xx answers are tried again until one succeeds', async () => {
    apiserver().intercept(any).reply(503, status(503, 'ServiceUnavailable'));
    apiserver().intercept(any).reply(500, 'a proxy error page');
    apiserver().intercept(any).reply(200, '{"kind":"Service"}');
    await expect(client().send(get)).resolves.toEqual({ kind: 'Service' });
    expect(unanswered()).toBe(0);
  });

  test('a 5xx on every try ends, after the last, in a transient error naming the request and the tries', async () => {
    apiserver().intercept(any).reply(503, status(503, 'ServiceUnavailable')).times(3);
    const sent = client({ attempts: 3 }).send(get);
    await expect(sent).rejects.toThrow(TransientError);
    await expect(sent).rejects.toThrow(
      /^GET \/api\/v1\/namespaces\/istio-system\/services\/egress: Kubernetes API answered HTTP 503 after 3 tries/,
    );
    expect(unanswered()).toBe(0);
  });

  test('a refusal (403) is not tried again: it comes back as the API error at once', async () => {
    apiserver().intercept(any).reply(403, status(403, 'Forbidden'));
    apiserver().intercept(any).reply(200, '{}');
    await expect(client().send(get)).rejects.toMatchObject({ status: 403, reason: 'Forbidden' });
    await expect(client().send(get)).resolves.toEqual({});
    expect(unanswered()).toBe(0);
  });
});

describe("errors classified by undici's codes", () => {
  test.each([
    ['a headers timeout', new errors.HeadersTimeoutError()],
    ['a body timeout', new errors.BodyTimeoutError()],
    ['a connect timeout', new errors.ConnectTimeoutError()],
    ['a socket closed by the other side', new errors.SocketError('other side closed')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' })],
  ])('%s is tried again', async (_, error) => {
    apiserver().intercept(any).replyWithError(error);
    apiserver().intercept(any).reply(200, '{"kind":"Service"}');
    await expect(client().send(get)).resolves.toEqual({ kind: 'Service' });
    expect(unanswered()).toBe(0);
  });

  test('timeouts on every try end in a transient error with the last one as its cause', async () => {
    apiserver().intercept(any).replyWithError(new errors.HeadersTimeoutError()).times(2);
    const sent = client({ attempts: 2 }).send(get);
    await expect(sent).rejects.toThrow(TransientError);
    await expect(sent).rejects.toMatchObject({ cause: { code: 'UND_ERR_HEADERS_TIMEOUT' } });
    expect(unanswered()).toBe(0);
  });

  test('an error whose message merely mentions a timeout or a socket is not one: it is not tried again', async () => {
    const invalid = new errors.InvalidArgumentError('invalid headersTimeout: socket options');
    apiserver().intercept(any).replyWithError(invalid);
    apiserver().intercept(any).reply(200, '{}');
    await expect(client().send(get)).rejects.toBe(invalid);
    expect(unanswered()).toBe(1);
  });
});

describe('paging', () => {
  const list = (http: KubeHttp): Promise<unknown[]> =>
    listAllPages(http, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      namespace: 'istio-system',
      pageSize: 2,
    });
  const path = '/apis/networking.istio.io/v1/namespaces/istio-system/serviceentries';
  const item = (name: string): object => ({ metadata: { name, namespace: 'istio-system' }, spec: {} });

  test('410 Gone on an expired continue token fails the whole list at once (no retry, no partial result)', async () => {
    apiserver()
      .intercept({ path: `${path}?limit=2` })
      .reply(200, { metadata: { continue: 'c1' }, items: [item('a'), item('b')] });
    apiserver()
      .intercept({ path: `${path}?limit=2&continue=c1` })
      .reply(410, status(410, 'Expired'));
    apiserver().intercept(any).reply(200, { metadata: {}, items: [] });
    const listed = list(client());
    await expect(listed).rejects.toThrow(IncompleteListError);
    await expect(listed).rejects.toThrow(/the continue token expired after 2 objects; read again/);
    expect(unanswered()).toBe(1);
  });

  test('a 503 on a later page is tried again with the same continue token', async () => {
    apiserver()
      .intercept({ path: `${path}?limit=2` })
      .reply(200, { metadata: { continue: 'c1' }, items: [item('a'), item('b')] });
    apiserver()
      .intercept({ path: `${path}?limit=2&continue=c1` })
      .reply(503, status(503, 'ServiceUnavailable'));
    apiserver()
      .intercept({ path: `${path}?limit=2&continue=c1` })
      .reply(200, { metadata: {}, items: [item('c')] });
    const names = (await list(client())).map((o) => (o as { metadata: { name: string } }).metadata.name);
    expect(names).toEqual(['a', 'b', 'c']);
    expect(unanswered()).toBe(0);
  });
});

describe("the scope's signal (a cluster's deadline)", () => {
  test('ends a request whose answer is late, with the reason, and no try follows', async () => {
    apiserver().intercept(any).reply(200, '{}').delay(60_000);
    apiserver().intercept(any).reply(200, '{}');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new TransientError('cluster b did not finish within 0.2 s')), 200);
    const started = performance.now();
    const sent = withAbortSignal(controller.signal, () => client().send(get));
    await expect(sent).rejects.toThrow(
      /^GET \/api\/v1\/namespaces\/istio-system\/services\/egress: cluster b did not finish within 0\.2 s$/,
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(unanswered()).toBe(1);
  });

  test('ends the retries: a deadline passed while waiting out a 503 sends nothing more', async () => {
    apiserver()
      .intercept(any)
      .reply(503, status(503, 'ServiceUnavailable'), { headers: { 'retry-after': '1' } });
    apiserver().intercept(any).reply(200, '{}');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new TransientError('past the deadline')), 200);
    const started = performance.now();
    await expect(withAbortSignal(controller.signal, () => client().send(get))).rejects.toThrow(/past the deadline/);
    expect(performance.now() - started).toBeLessThan(800); // the wait for Retry-After (1 s) is cut short too
    expect(unanswered()).toBe(1);
  });
});

test('the request carries the endpoint credentials, the JSON body and its content type', async () => {
  let seen: { headers?: unknown; body?: unknown } = {};
  apiserver()
    .intercept({ path: '/api/v1/namespaces/n/services/s?fieldManager=m', method: 'PATCH' })
    .reply(200, (options) => {
      seen = { headers: options.headers, body: options.body };
      return '{}';
    });
  await client().send({
    method: 'PATCH',
    path: '/api/v1/namespaces/n/services/s',
    query: { fieldManager: 'm', force: undefined },
    body: { spec: { ports: [] } },
    contentType: 'application/apply-patch+yaml',
  });
  expect(seen.headers).toMatchObject({
    authorization: 'Bearer t',
    'content-type': 'application/apply-patch+yaml',
    accept: 'application/json',
  });
  expect(seen.body).toBe('{"spec":{"ports":[]}}');
  expect(unanswered()).toBe(0);
});

test('a KubeApiError carries the Status reason and message', async () => {
  apiserver().intercept(any).reply(422, status(422, 'Invalid'));
  const error = await client()
    .send(get)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KubeApiError);
  expect(error).toMatchObject({ status: 422, reason: 'Invalid', message: 'Invalid here' });
});
