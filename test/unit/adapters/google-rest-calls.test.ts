import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestInstanceReads } from '../../../shared/adapters/rest-instance-reads.js';
import { RestTopic } from '../../../shared/adapters/pubsub-rest.js';
import { callRest, RestCallError } from '../../../shared/adapters/google-rest.js';
import { PermanentError, TransientError } from '../../../shared/errors.js';
import { toRedisInstance } from '../../../shared/products/redis/mapper.js';

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
    'redis.googleapis.com',
    toRedisInstance,
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
      'redis.googleapis.com',
      toRedisInstance,
    );
    await expect(closed.get(NAME)).rejects.toThrow(TransientError);
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
