/**
 * How close the project's resync comes to what the apiserver can take. A probe writes the objects the project would
 * write for N instances, as the functions' own user (so API Priority and Fairness treats both alike), over one HTTP/2
 * connection with up to 256 streams in flight: the apiserver's ceiling on this machine. Then, on a fresh stack each,
 * the project's resync converges the same instances through the real Functions Framework, once per number of writes
 * in flight, each right after a probe of its own. Prints times, the ratio to that probe, CPU per write of each, the
 * priority level the user's requests fell in, and the load average.
 *   npm run bench:ceiling
 *   CEILING_SIZE=1000 CEILING_WRITES=16,64 npm run bench:ceiling
 */
import { readFileSync } from 'node:fs';
import { connect, type ClientHttp2Session } from 'node:http2';
import { loadavg } from 'node:os';
import { parse } from 'yaml';
import { parseRenderSettings } from '../../shared/config/parse-config.js';
import { planSettingsOf } from '../../shared/plan/plan-settings.js';
import { objectPath } from '../../shared/adapters/kube/paths.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import { pubSubClient, startPubSubServer } from '../../dev/harness/pubsub/pstest-server.js';
import { startTokenIssuer, type TokenIssuer } from '../../dev/harness/id-tokens.js';
import { functionEnv, PROJECT, startSizeStack, SYNC_USER, type BenchPubSub, type SizeStack } from './bench-stack.js';
import { PROJECT_SOURCE, spawnFunction } from './function-process.js';
import { modelInstances, renderConverged } from './render-objects.js';
import { callResync, OPERATOR, RESYNC_AUDIENCE, resyncFailure } from './resync-call.js';
import { perProduct, seedEveryProduct } from './seed-memorystore.js';

const STREAMS = 256;
/** Linux's clock ticks per second, the unit of /proc/PID/stat's CPU times. */
const CLOCK_TICKS = 100;

interface Run {
  readonly label: string;
  readonly ms: number;
  readonly writes: number;
  /** CPU of the writing process (user + system) while it wrote, ms. */
  readonly cpuMs: number;
  readonly note?: string;
}

function numbers(name: string, fallback: string): number[] {
  const value = process.env[name] ?? fallback;
  const parsed = value.split(',').map((s) => Number(s.trim()));
  if (parsed.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${name} must be whole numbers: ${value}`);
  return parsed;
}

/** user + system CPU of a process so far, ms. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", utime and stime are the 12th and 13th fields.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function userToken(kubeconfig: string): string {
  const config = parse(readFileSync(kubeconfig, 'utf8')) as { users: Array<{ user: { token: string } }> };
  return config.users[0]!.user.token;
}

/** One request on the session; resolves with its status and the headers that name its priority level. */
function send(
  session: ClientHttp2Session,
  token: string,
  request: { method: string; path: string; body?: unknown },
): Promise<{ status: number; level?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': request.method,
      ':path': request.path,
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
    });
    let status = 0;
    let level: string | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
      const uid = headers['x-kubernetes-pf-prioritylevel-uid'];
      if (typeof uid === 'string') level = uid;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status, ...(level ? { level } : {}), body: Buffer.concat(chunks).toString() }));
    stream.on('error', reject);
    stream.end(request.body !== undefined ? JSON.stringify(request.body) : undefined);
  });
}

/** Creates every object, at most STREAMS at once, over one HTTP/2 connection; the Service body is left out. */
async function probe(stack: SizeStack, objects: readonly KubeObject[]): Promise<Run & { levels: Set<string> }> {
  const token = userToken(stack.controlPlane.kubeconfigFor(SYNC_USER));
  // The local apiserver's own certificate.
  const session = connect(stack.controlPlane.server, { rejectUnauthorized: false });
  session.setMaxListeners(STREAMS * 2);
  const levels = new Set<string>();
  const writes = objects.filter((o) => o.kind !== 'Service');
  const failures: string[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < writes.length) {
      const object = writes[next++]!;
      const answer = await send(session, token, {
        method: 'POST',
        path: objectPath({ ...object, name: '', namespace: object.metadata.namespace ?? '' }),
        body: object,
      });
      if (answer.level) levels.add(answer.level);
      if (answer.status !== 201) failures.push(`${answer.status} ${answer.body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: STREAMS }, worker));
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  session.close();
  if (failures.length > 0) throw new Error(`probe: ${failures.length} writes failed, first: ${failures[0]}`);
  return {
    label: `probe (HTTP/2, ${STREAMS} streams)`,
    ms,
    writes: writes.length,
    cpuMs: (used.user + used.system) / 1000,
    levels,
  };
}

/** The names of the priority levels whose uids the apiserver answered with. */
async function levelNames(stack: SizeStack, uids: ReadonlySet<string>): Promise<string[]> {
  const session = connect(stack.controlPlane.server, { rejectUnauthorized: false });
  try {
    const answer = await send(session, stack.controlPlane.adminToken, {
      method: 'GET',
      path: '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations',
    });
    const items = (JSON.parse(answer.body) as { items: Array<{ metadata: { uid: string; name: string } }> }).items;
    return [...uids].map((uid) => items.find((i) => i.metadata.uid === uid)?.metadata.name ?? uid);
  } finally {
    session.close();
  }
}

/** A fresh stack with `size` instances; the objects the project renders for them. */
async function withSeededStack<T>(
  pubsub: BenchPubSub,
  size: number,
  body: (stack: SizeStack, objects: KubeObject[], env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const stack = await startSizeStack(pubsub, size);
  try {
    // As the bench does: the size spread over the four products.
    await seedEveryProduct(stack.clients, stack.memorystore, PROJECT, perProduct(size));
    const env = {
      ...functionEnv(stack, { audience: RESYNC_AUDIENCE, caller: OPERATOR, certsUrl: issuer().certsUrl }),
      // Straight to the apiserver, as the probe: the bench's counting proxy would be a hop the probe does not take.
      KUBECONFIG: stack.controlPlane.kubeconfigFor(SYNC_USER),
    };
    const objects = renderConverged(planSettingsOf(parseRenderSettings(env)), modelInstances(stack.memorystore));
    return await body(stack, objects, env);
  } finally {
    await stack.stop();
  }
}

let tokenIssuer: TokenIssuer | undefined;
const issuer = (): TokenIssuer => tokenIssuer!;

/** The project's resync from empty through the Functions Framework, with `writes` in flight. */
async function project(pubsub: BenchPubSub, size: number, writes: number): Promise<Run> {
  return withSeededStack(pubsub, size, async (stack, objects, env) => {
    const fn = await spawnFunction(
      PROJECT_SOURCE,
      'resync',
      { ...env, KUBE_WRITES_IN_FLIGHT: String(writes) },
      stack.workDir,
    );
    try {
      const cpu = processCpuMs(fn.pid);
      const start = performance.now();
      const answer = await callResync(fn.url, issuer(), AbortSignal.timeout(60_000 + size * 150));
      const ms = performance.now() - start;
      const cpuMs = processCpuMs(fn.pid) - cpu;
      const failure = resyncFailure(answer);
      const written = objects.filter((o) => o.kind !== 'Service').length;
      return {
        label: `project, ${writes} writes in flight`,
        ms,
        writes: written,
        cpuMs,
        ...(failure ? { note: failure } : {}),
      };
    } finally {
      await fn.stop();
    }
  });
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  const [size] = numbers('CEILING_SIZE', '1000');
  const writes = numbers('CEILING_WRITES', '16,64');
  const pubsubServer = await startPubSubServer();
  const pubsub = { client: pubSubClient(pubsubServer.host, PROJECT), host: pubsubServer.host };
  tokenIssuer = await startTokenIssuer();
  const load = [loadavg()];
  try {
    // The machine's load drifts: each project run is compared with a probe run just before it.
    const ceiling = (): Promise<Run & { levelNames: string[] }> =>
      withSeededStack(pubsub, size!, async (stack, objects) => {
        const run = await probe(stack, objects);
        return { ...run, levelNames: await levelNames(stack, run.levels) };
      });
    const rows: string[] = [];
    const levels = new Set<string>();
    for (const w of writes) {
      const before = await ceiling();
      before.levelNames.forEach((name) => levels.add(name));
      const run = await project(pubsub, size!, w);
      for (const r of [before, run])
        rows.push(
          `| ${r.label} | ${r.writes} | ${seconds(r.ms)} | ${(r.ms / before.ms).toFixed(2)} | ` +
            `${(r.cpuMs / r.writes).toFixed(2)} | ${r.note ?? ''} |`,
        );
    }
    load.push(loadavg());
    process.stdout.write(
      `\nN = ${size} instances; the user's requests fell in priority level ${[...levels].join(', ')}\n` +
        `load average (1, 5, 15 min) at start ${load[0]!.map((l) => l.toFixed(2)).join(', ')}, ` +
        `at end ${load[1]!.map((l) => l.toFixed(2)).join(', ')}\n\n` +
        `| writer | writes | s | × probe | CPU ms per write | note |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
    );
  } finally {
    await tokenIssuer.close();
    await pubsub.client.close();
    await pubsubServer.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ceiling probe failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
