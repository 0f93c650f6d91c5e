import { auditLogEntry } from '../../dev/harness/memorystore/index.js';
import { PROJECT, type SizeStack } from './bench-stack.js';
import { bounded, type Outcome } from './bounded.js';
import { HELLO_SOURCE, PROJECT_SOURCE, spawnFunction, type FunctionProcess } from './function-process.js';
import { processCpuSeconds } from './process-cpu.js';
import { OPERATOR } from './resync-call.js';
import { REGION } from './seed-memorystore.js';

/** One cold start of the event function and its first event, beside a hello-world function's cold start. */
export interface FirstEventRun {
  /** The function's source (package.json's `main`, or another build's entry file). */
  readonly source: string;
  /** hello-world: spawn → first answer, and the CPU seconds its process spent to it. */
  readonly helloMs: number;
  readonly helloCpuS: number;
  /** syncOnAuditLog: spawn → first answer, and the CPU seconds its process spent to it. */
  readonly readyMs: number;
  readonly readyCpuS: number;
  /** first answer → the first event acknowledged. */
  readonly eventMs: number;
  /** spawn → the first event acknowledged. */
  readonly totalMs: number;
  /** CPU seconds of the function process on the first event. */
  readonly eventCpuS: number;
}

/**
 * The last audit entry of a new Redis instance's creation, as the binary-mode CloudEvent Eventarc POSTs for a Pub/Sub
 * trigger (attributes in `ce-` headers, the Pub/Sub message as the body). The same event as
 * `npm run bench:first-event` delivers.
 */
export function creationEvent(instanceName: string, id: string): { headers: Record<string, string>; body: string } {
  const entry = auditLogEntry({
    method: 'CreateInstance',
    permission: 'redis.instances.create',
    resourceName: instanceName,
    instanceName,
    request: { instanceId: instanceName.split('/').at(-1) },
    operation: { name: `${instanceName.replace(/instances\/.*/, '')}operations/${id}`, phase: 'last' },
    principal: OPERATOR,
    time: new Date(),
  });
  const publishTime = new Date().toISOString();
  return {
    headers: {
      'content-type': 'application/json',
      'ce-id': id,
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': `//pubsub.googleapis.com/projects/${PROJECT}/topics/events`,
      'ce-time': publishTime,
    },
    body: JSON.stringify({
      message: { data: Buffer.from(JSON.stringify(entry)).toString('base64'), messageId: id, publishTime },
      subscription: `projects/${PROJECT}/subscriptions/events`,
    }),
  };
}

async function deliver(fn: FunctionProcess, instanceName: string, id: string): Promise<void> {
  const { headers, body } = creationEvent(instanceName, id);
  const response = await fetch(fn.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
  await response.body?.cancel();
  if (response.status >= 300) throw new Error(`the first event was answered ${response.status}: ${fn.tail(2)}`);
}

/** Where a run's functions are served from: the stack's Memorystore API, its logs, the deployed environment. */
export interface FirstEventWorld {
  readonly redis: SizeStack['redis'];
  readonly workDir: string;
  readonly env: Record<string, string>;
}

/** One run: a hello-world function's cold start, then `source`'s cold start and first event, on a new instance. */
export async function coldFirstEvent(world: FirstEventWorld, source: string, id: string): Promise<FirstEventRun> {
  const hello = await spawnFunction(HELLO_SOURCE, 'hello', {}, world.workDir);
  const helloCpuS = processCpuSeconds(hello.pid);
  await hello.stop();
  const [operation] = await world.redis.createInstance({
    parent: `projects/${PROJECT}/locations/${REGION}`,
    instanceId: id,
    instance: { tier: 'BASIC', memorySizeGb: 1 },
  });
  await operation.promise();
  const started = performance.now();
  const fn = await spawnFunction(source, 'syncOnAuditLog', world.env, world.workDir);
  try {
    const readyCpuS = processCpuSeconds(fn.pid);
    const eventStarted = performance.now();
    await deliver(fn, `projects/${PROJECT}/locations/${REGION}/instances/${id}`, `${id}-${Date.now()}`);
    const acknowledged = performance.now();
    return {
      source,
      helloMs: hello.coldStartMs,
      helloCpuS,
      readyMs: fn.coldStartMs,
      readyCpuS,
      eventMs: acknowledged - eventStarted,
      totalMs: acknowledged - started,
      eventCpuS: processCpuSeconds(fn.pid) - readyCpuS,
    };
  } finally {
    await fn.stop();
  }
}

/**
 * The first event after a cold start, `runs` times, each in a fresh process with the deployed environment `env`,
 * beside a hello-world function's first answer in the same run. On a stack whose measured phases are over: the
 * event adds an instance.
 */
export async function firstEvents(
  stack: SizeStack,
  env: Record<string, string>,
  runs: number,
): Promise<Outcome<FirstEventRun[]>> {
  return bounded(`first event after a cold start, ${runs} runs`, 60_000 * runs, async () => {
    const results: FirstEventRun[] = [];
    const world = { redis: stack.redis, workDir: stack.workDir, env };
    for (let run = 0; run < runs; run++)
      results.push(await coldFirstEvent(world, PROJECT_SOURCE, `first-event-${run}`));
    return results;
  });
}
