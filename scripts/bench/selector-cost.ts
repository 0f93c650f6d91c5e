/**
 * What an event's read of its ServiceEntries costs the apiserver as the namespace fills: one list by the instance's
 * label selector (what an event sends, shared/reconcile/read-cluster.ts) beside one read by name, at each size, on a
 * real kube-apiserver holding that many ServiceEntries, rendered by the project's own renderer. The apiserver's watch
 * cache has no index of labels, so a selector is tested against every object of the kind in the namespace; a read by
 * name is one lookup. Figures are the apiserver's CPU per request, net of its idle rate measured just before, median
 * (min–max) of several batches.
 *   npm run bench:selector-cost                      (BENCH_SIZES=100,1000,5000,10000 BENCH_RUNS=3)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { testPlanSettings } from '../../dev/fixtures/settings.js';
import { startRigCluster } from '../../dev/rig/stack.js';
import { parseInstanceName, type InstanceName } from '../../shared/products/instance-name.js';
import { objectName } from '../../shared/render/names.js';
import { selectorOf } from '../../shared/reconcile/read-cluster.js';
import { renderDirect } from '../../shared/render/render-instance.js';
import { idleCpuPerS } from './bench-stack.js';
import { apiserverPid, processCpuSeconds } from './process-cpu.js';
import { formatSpread, spreadOf } from './spread.js';

const settings = { ...testPlanSettings(), istioNamespace: 'selector-cost' };
const NAMESPACE = settings.istioNamespace;
/** Requests per batch, four in flight (as an event's reads are): enough that a batch's CPU stands well above idle. */
const BATCH = 300;
const IN_FLIGHT = 4;

// Ascending: each size adds to what the one before created.
const sizes = (process.env['BENCH_SIZES'] ?? '100,1000,5000,10000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const runs = Number(process.env['BENCH_RUNS'] ?? '3');

const instance = (i: number): InstanceName =>
  parseInstanceName(`projects/bench-project/locations/us-central1/instances/cache-${i}`)!;

/** The i-th Redis instance's ServiceEntry, as the project renders it. */
function serviceEntry(i: number): object {
  const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return renderDirect(instance(i), [{ role: 'primary', address, port: 6379 }], settings)[0]!;
}

async function main(): Promise<void> {
  const controlPlane = await startRigCluster({ users: [] });
  const agent = new Agent({ connect: { ca: readFileSync(join(controlPlane.dataDir, 'certs/apiserver.crt')) } });
  const pid = apiserverPid(controlPlane.server);
  const call = async (method: string, path: string, body?: object): Promise<void> => {
    const answer = await request(`${controlPlane.server}${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${controlPlane.adminToken}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
      dispatcher: agent,
    });
    const text = await answer.body.text();
    if (answer.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${answer.statusCode} ${text.slice(0, 200)}`);
  };
  const collection = `/apis/networking.istio.io/v1/namespaces/${NAMESPACE}/serviceentries`;
  const selector = encodeURIComponent(selectorOf({ kind: 'scope', instances: [instance(7)] }, settings.ownerId)!);
  const reads = {
    'list by selector': `${collection}?labelSelector=${selector}`,
    'read by name': `${collection}/${objectName(instance(7))}`,
  };
  /** Net apiserver CPU per request of one batch of `path`, in ms. */
  const batch = async (path: string): Promise<number> => {
    const idlePerS = await idleCpuPerS(pid);
    const cpuBefore = processCpuSeconds(pid);
    const started = performance.now();
    for (let sent = 0; sent < BATCH; sent += IN_FLIGHT)
      await Promise.all(Array.from({ length: IN_FLIGHT }, () => call('GET', path)));
    const wallS = (performance.now() - started) / 1000;
    return ((processCpuSeconds(pid) - cpuBefore - idlePerS * wallS) / BATCH) * 1000;
  };
  /** Creates ServiceEntries `from` to `to` - 1, sixteen at a time. */
  const fill = async (from: number, to: number): Promise<void> => {
    const todo = Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
    for (let at = 0; at < todo.length; at += 16)
      await Promise.all(todo.slice(at, at + 16).map((i) => call('POST', collection, serviceEntry(i))));
  };
  /** One table row: each read's batches, alternated so a busy minute falls on both. */
  const row = async (size: number): Promise<string> => {
    for (let warm = 0; warm < 20; warm++) for (const path of Object.values(reads)) await call('GET', path);
    const figures: Record<string, number[]> = {};
    for (let run = 0; run < runs; run++)
      for (const [name, path] of Object.entries(reads)) (figures[name] ??= []).push(await batch(path));
    const cell = (name: string): string => formatSpread(spreadOf(figures[name]!)!, (v) => v.toFixed(2));
    return `| ${size.toLocaleString('en-US')} | ${cell('list by selector')} | ${cell('read by name')} |`;
  };
  const rows: string[] = [];
  try {
    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    let held = 0;
    for (const size of sizes) {
      await fill(held, size);
      held = Math.max(held, size);
      rows.push(await row(size));
      process.stderr.write(`${rows.at(-1)}\n`);
    }
  } finally {
    await agent.close();
    await controlPlane.stop();
  }
  console.log(
    `\nApiserver CPU per read of one instance's ServiceEntries (ms, net of idle), ${BATCH} requests a batch, ` +
      `${IN_FLIGHT} in flight; median (min–max) of ${runs} batches\n`,
  );
  console.log('| ServiceEntries in the namespace | list by label selector | read by name |\n|---|---|---|');
  for (const line of rows) console.log(line);
}

await main();
