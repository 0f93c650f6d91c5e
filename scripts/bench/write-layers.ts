/**
 * What one write costs the client, in promises and CPU: the project's sync of N instances (direct mode, one
 * ServiceEntry each) through its own Kubernetes client, inside a `domain` as the Functions Framework runs every
 * invocation (its domain's async hooks make each promise cost more), against an apiserver stand-in in a child process
 * that answers every request at once (so the client's CPU is all this process spends). Comparable run to run.
 *   npm run bench:write-layers
 *   LAYERS_SIZE=2000 npm run bench:write-layers
 */
import { createHook } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { create as createDomain } from 'node:domain';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { KubeClusterStore } from '../../shared/adapters/kube-cluster-store.js';
import { AuditWriter } from '../../shared/audit/audit-writer.js';
import { Logger } from '../../shared/log.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import { toRedisInstance } from '../../shared/products/redis/mapper.js';
import { syncInstances } from '../../shared/reconcile/sync.js';
import type { SyncDeps } from '../../shared/reconcile/sync-deps.js';
import { syncOf, testSettings } from '../../dev/fixtures/settings.js';

/** Answers a list with nothing, the Service with no ports, and any write with what was sent. */
const STAND_IN = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString() || '{}';
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url.includes('/services/'))
      return res.end(JSON.stringify({ metadata: { resourceVersion: '1' }, spec: { ports: [] } }));
    if (req.method === 'GET') return res.end(JSON.stringify({ items: [], metadata: {} }));
    res.statusCode = req.method === 'POST' ? 201 : 200;
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

async function standIn(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', STAND_IN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}`, stop: () => void child.kill() };
}

function scope(size: number) {
  return Array.from({ length: size }, (_, i) => {
    const name = parseInstanceName(`projects/test-project/locations/us-central1/instances/cache-${i}`)!;
    const instance = toRedisInstance({
      name: name.full,
      state: 'READY',
      host: `10.0.${Math.floor(i / 250)}.${i % 250}`,
      port: 6379,
    });
    return { name, instance };
  });
}

async function main(): Promise<void> {
  const size = Number(process.env['LAYERS_SIZE'] ?? '2000');
  const server = await standIn();
  const settings = syncOf(testSettings({ SYNC_MODE: 'direct', MEMORYSTORE_LOCATIONS: 'us-central1' }));
  const endpoint = {
    server: server.url,
    tls: async () => ({}),
    credentials: async () => ({ authorization: 'Bearer bench' }),
  };
  const cluster = new KubeClusterStore(endpoint, 'bench', { connections: settings.process.writesInFlight });
  // Audit lines go nowhere: what a write costs the log is not what this measures.
  const log = new Logger({}, () => true);
  const deps: SyncDeps = {
    settings,
    cluster,
    log,
    audit: new AuditWriter(log),
    instances: { get: async () => undefined, list: async () => ({ instances: [], unreachable: [] }) },
    clock: { now: () => new Date(), monotonicMs: () => performance.now() },
    newId: randomUUID,
  };
  const trigger = { kind: 'resync', principal: 'bench@example.com', scheduled: false } as const;
  let promises = 0;
  const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) });
  try {
    const work = scope(size);
    const cpu = process.cpuUsage();
    const start = performance.now();
    hook.enable();
    const domain = createDomain();
    const run = await new Promise<Awaited<ReturnType<typeof syncInstances>>>((resolve, reject) =>
      domain.run(() => void syncInstances(deps, work, trigger, { dryRun: false }).then(resolve, reject)),
    );
    hook.disable();
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const writes = run.tally.counts['create'] ?? 0;
    if (writes !== size) throw new Error(`expected ${size} creates, the sync made ${writes}`);
    process.stdout.write(
      `${size} writes, ${settings.process.writesInFlight} in flight: ${(ms / 1000).toFixed(2)} s, ` +
        `${((used.user + used.system) / 1000 / writes).toFixed(3)} ms CPU per write, ` +
        `${(promises / writes).toFixed(1)} promises per write\n`,
    );
  } finally {
    await cluster.close();
    server.stop();
  }
}

await main();
