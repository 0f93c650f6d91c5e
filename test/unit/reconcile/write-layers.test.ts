import { createHook } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClusterStore } from '../../../shared/adapters/kube-cluster-store.js';
import { AuditWriter } from '../../../shared/audit/audit-writer.js';
import { Logger } from '../../../shared/log.js';
import { syncInstances } from '../../../shared/reconcile/sync.js';
import type { SyncDeps } from '../../../shared/reconcile/sync-deps.js';
import { nameOf, readyInstance } from '../../fixtures/instances.js';
import { testSync } from '../../../dev/fixtures/settings.js';

/**
 * The promises one write makes, from the plan's step through the Kubernetes client and back to its audit record. The
 * Functions Framework runs each invocation in a `domain`, whose async hooks run for every promise: each layer a write
 * goes through is paid for on every write (npm run bench:write-layers measures the CPU). The apiserver here is a
 * plain callback server in this process, which makes no promises of its own.
 */
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (request.method === 'GET' && request.url?.includes('/services/'))
        return void response.end(JSON.stringify({ metadata: { resourceVersion: '1' }, spec: { ports: [] } }));
      if (request.method === 'GET') return void response.end(JSON.stringify({ items: [], metadata: {} }));
      response.statusCode = request.method === 'POST' ? 201 : 200;
      response.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise((resolve) => server.close(resolve)));

test('a write of a resync goes through at most 24 promises', async () => {
  const settings = testSync({ SYNC_MODE: 'direct' });
  const endpoint = { server: url, tls: async () => ({}), credentials: async () => ({ authorization: 'Bearer t' }) };
  const cluster = new KubeClusterStore(endpoint, 'test', { connections: settings.process.writesInFlight });
  const log = new Logger({}, () => undefined);
  let id = 0;
  const deps: SyncDeps = {
    settings,
    cluster,
    log,
    audit: new AuditWriter(log, { publish: async () => undefined }),
    instances: { get: async () => undefined, list: async () => ({ instances: [], unreachable: [] }) },
    clock: { now: () => new Date('2026-11-25T10:00:00Z'), monotonicMs: () => 0 },
    newId: () => `id-${++id}`,
  };
  const size = 300;
  const scope = Array.from({ length: size }, (_, i) => ({
    name: nameOf(`cache-${i}`),
    instance: readyInstance(`cache-${i}`),
  }));
  const trigger = { kind: 'resync', principal: 'operator@example.com', scheduled: false } as const;
  let promises = 0;
  const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) });
  hook.enable();
  try {
    const run = await syncInstances(deps, scope, trigger, { dryRun: false });
    expect(run.tally.counts['create']).toBe(size);
  } finally {
    hook.disable();
    await cluster.close();
  }
  // Reading the cluster and planning take a few dozen in all; the rest are the writes'.
  expect(promises / size).toBeLessThanOrEqual(24);
});
