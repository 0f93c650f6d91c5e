import { readFileSync } from 'node:fs';
import { AuditWriter } from '../../shared/audit/audit-writer.js';
import { parseConfig } from '../../shared/config/parse-config.js';
import { Logger } from '../../shared/log.js';
import type { RedisInstance } from '../../shared/model/instance.js';
import { resync } from '../../shared/reconcile/resync.js';
import type { SyncDeps } from '../../shared/reconcile/sync-deps.js';
import { MemoryCluster } from '../../test/fixtures/memory-cluster.js';

const n = Number(process.argv[2] ?? 5000);
const config = parseConfig({ MEMORYSTORE_PROJECT: 'bench-project', KUBECONFIG: '/dev/null', GATEWAY_PORT_RANGE: '20000-40000', RESYNC_AUDIENCE: 'https://x.a.run.app', RESYNC_ALLOWED_PRINCIPALS: 'a@b.c' });
const instances: RedisInstance[] = Array.from({ length: n }, (_, i) => ({ name: `projects/bench-project/locations/us-central1/instances/cache-${i}`, state: 'READY', host: `10.0.${Math.floor(i / 250)}.${i % 250}`, port: 6379 }));
class JsonCluster extends MemoryCluster {
  override async listIstio(namespace: string) { return JSON.parse(JSON.stringify(await super.listIstio(namespace))); }
}
const cluster = new JsonCluster();
const log = new Logger({}, () => undefined);
const deps: SyncDeps = { config, instances: { get: async () => undefined, list: async () => ({ instances: structuredClone(instances), unreachable: [] }) }, cluster, audit: new AuditWriter(log, { publish: async () => undefined }), log, clock: { now: () => new Date(), monotonicMs: () => performance.now() }, newId: () => crypto.randomUUID() };
let peak = 0;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 5);
async function phase(label: string): Promise<void> {
  global.gc?.();
  const base = process.memoryUsage().heapUsed;
  peak = base;
  const { report } = await resync(deps, { kind: 'resync', principal: 'a@b.c', scheduled: false }, { dryRun: false, force: true });
  global.gc?.();
  process.stdout.write(`${label} n=${n}: heap base ${(base / 1048576).toFixed(0)} MiB, peak +${((peak - base) / 1048576).toFixed(0)} MiB, VmHWM ${Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]) >> 10} MiB, ${JSON.stringify(report.summary)}\n`);
}
await phase('converge');
await phase('no-op');
clearInterval(timer);
