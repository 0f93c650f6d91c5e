import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestInstanceReads } from '../../../shared/adapters/rest-instance-reads.js';
import { RestTopic } from '../../../shared/adapters/pubsub-rest.js';
import { callRest, RestCallError } from '../../../shared/adapters/google-rest.js';
import { PermanentError, TransientError } from '../../../shared/errors.js';
import { toRedisInstance } from '../../../shared/products/redis/mapper.js';
import { REDIS_NAMING as REDIS_API } from '../../../shared/products/redis/naming.js';

// The event path's two REST calls (an instance read, a publish) against a local HTTP server that answers with a
// scripted sequence of statuses, as Google's REST APIs answer: what is retried, what fails at once and as what.
let server: Server;
let answers: Array<{ status: number; body: object }> = [];
const seen: Array<{ method: string; url: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', body });
      const answer = answers.shift() ?? { status: 500, body: { error: { code: 500, status: 'INTERNAL' } } };
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  answers = [];
  seen.length = 0;
});

const port = (): number => (server.address() as AddressInfo).port;
const NAME = 'projects/p/locations/us-central1/instances/i';
const reads = (): RestInstanceReads =>
  new RestInstanceReads(
    { project: 'p', memorystoreEndpoint: { host: '127.0.0.1', port: port(), plaintext: true } },
    REDIS_API,
    toRedisInstance,
    2,
  );
const unavailable = { status: 503, body: { error: { code: 503, status: 'UNAVAILABLE' } } };
const ready = { status: 200, body: { name: NAME, state: 'READY', host: '10.0.0.3', port: 6379 } };

describe('an instance read over REST', () => {
  test('is GET v1/{name} under the service, retried on 503 until it answers', async () => {
    answers = [unavailable, unavailable, ready];
    expect(await reads().get(NAME)).toMatchObject({ name: NAME, phase: 'ready' });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(
      Array(3).fill(`GET /redis.googleapis.com/v1/${NAME}`) as string[],
    );
  });

  test('404 is an instance that is gone', async () => {
    answers = [{ status: 404, body: { error: { code: 404, status: 'NOT_FOUND' } } }];
    expect(await reads().get(NAME)).toBeUndefined();
  });

  test('403 is a permanent refusal, not retried', async () => {
    answers = [{ status: 403, body: { error: { code: 403, status: 'PERMISSION_DENIED' } } }];
    await expect(reads().get(NAME)).rejects.toThrow(PermanentError);
    expect(seen).toHaveLength(1);
  });

  test('a 5xx that lasts is transient, after the retries', async () => {
    await expect(reads().get(NAME)).rejects.toThrow(TransientError);
    expect(seen).toHaveLength(4);
  });

  test('no server at all is transient', async () => {
    const closed = new RestInstanceReads(
      { project: 'p', memorystoreEndpoint: { host: '127.0.0.1', port: 1, plaintext: true } },
      REDIS_API,
      toRedisInstance,
    );
    await expect(closed.get(NAME)).rejects.toThrow(TransientError);
  });
});

describe('a listing over REST', () => {
  const instance = (id: string) => ({ name: `projects/p/locations/us-central1/instances/${id}`, state: 'READY' });
  const page = (ids: string[], more: { nextPageToken?: string; unreachable?: string[] } = {}) => ({
    status: 200,
    body: { instances: ids.map(instance), ...more },
  });

  test('follows every page by its token, and keeps every unreachable location once', async () => {
    answers = [
      page(['a', 'b'], { nextPageToken: 't1', unreachable: ['projects/p/locations/asia-east1'] }),
      page(['c', 'd'], { nextPageToken: 't/2+', unreachable: ['projects/p/locations/asia-east1'] }),
      page(['e']),
    ];
    const listing = await reads().list('p', '-');
    expect(listing.instances.map((i) => i.name.split('/').pop())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(listing.unreachable).toEqual(['projects/p/locations/asia-east1']);
    expect(seen.map((s) => s.url)).toEqual([
      '/redis.googleapis.com/v1/projects/p/locations/-/instances?pageSize=2',
      '/redis.googleapis.com/v1/projects/p/locations/-/instances?pageSize=2&pageToken=t1',
      // The token is sent as the API gave it, encoded for the query.
      '/redis.googleapis.com/v1/projects/p/locations/-/instances?pageSize=2&pageToken=t%2F2%2B',
    ]);
  });

  test('reads the page under the collection its product names (Redis Cluster: clusters)', async () => {
    answers = [{ status: 200, body: { clusters: [{ name: 'projects/p/locations/l/clusters/c', state: 'ACTIVE' }] } }];
    const clusters = new RestInstanceReads(
      { project: 'p', memorystoreEndpoint: { host: '127.0.0.1', port: port(), plaintext: true } },
      { serviceName: 'redis.googleapis.com', collection: 'clusters' },
      (api: { name: string }) => ({ name: api.name }) as never,
    );
    expect((await clusters.list('p', 'l')).instances).toEqual([{ name: 'projects/p/locations/l/clusters/c' }]);
    expect(seen[0]?.url).toBe('/redis.googleapis.com/v1/projects/p/locations/l/clusters?pageSize=500');
  });

  test('an empty location answers {} (no field holds a default): no instances, nothing unreachable', async () => {
    answers = [{ status: 200, body: {} }];
    expect(await reads().list('p', 'us-central1')).toEqual({ instances: [], unreachable: [] });
  });

  test('a 503 on a later page is retried there; the pages before it are not read again', async () => {
    answers = [page(['a', 'b'], { nextPageToken: 't1' }), unavailable, page(['c'])];
    expect((await reads().list('p', '-')).instances).toHaveLength(3);
    expect(seen.map((s) => s.url.split('?')[1])).toEqual([
      'pageSize=2',
      'pageSize=2&pageToken=t1',
      'pageSize=2&pageToken=t1',
    ]);
  });

  test('403 fails the listing for good; a 5xx that lasts fails it as transient', async () => {
    answers = [{ status: 403, body: { error: { code: 403, status: 'PERMISSION_DENIED' } } }];
    await expect(reads().list('p', '-')).rejects.toThrow(PermanentError);
    answers = [page(['a', 'b'], { nextPageToken: 't1' })];
    await expect(reads().list('p', '-')).rejects.toThrow(TransientError);
  });
});

describe('a publish over REST', () => {
  const topic = (): RestTopic =>
    new RestTopic('projects/p/topics/audit', { project: 'p', emulatorHost: `127.0.0.1:${port()}` });

  test('is POST v1/{topic}:publish of one base64 message, retried on 503, and gives its message id', async () => {
    answers = [unavailable, { status: 200, body: { messageIds: ['42'] } }];
    expect(await topic().publish({ data: Buffer.from('{"a":1}'), attributes: { action: 'create' } })).toBe('42');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(Array(2).fill('POST /v1/projects/p/topics/audit:publish'));
    expect(JSON.parse(seen[1]!.body)).toEqual({
      messages: [{ data: Buffer.from('{"a":1}').toString('base64'), attributes: { action: 'create' } }],
    });
  });

  test('400 fails at once', async () => {
    answers = [{ status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT' } } }];
    await expect(topic().publish({ data: Buffer.from('x'), attributes: {} })).rejects.toThrow(/400/);
    expect(seen).toHaveLength(1);
  });
});

describe('a call whose token cannot be had', () => {
  test("is no answer of the call's own, retried, then failed without a status (a 404 of the token is not the call's)", async () => {
    let asked = 0;
    const token = (): Promise<string> => {
      asked++;
      return Promise.reject(new RestCallError('GET http://metadata/token: HTTP 404', 404));
    };
    const call = callRest({ url: `http://127.0.0.1:${port()}/v1/x`, method: 'GET', deadlineMs: 10_000 }, token);
    await expect(call).rejects.toMatchObject({ name: 'RestCallError', status: undefined });
    expect(asked).toBe(4);
    expect(seen).toHaveLength(0);
  });
});
