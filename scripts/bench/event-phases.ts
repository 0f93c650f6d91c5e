import type { PubSub } from '@google-cloud/pubsub';
import { startEventBridge, type EventBridge } from '../../dev/harness/pubsub/event-bridge.js';
import { idleCpuPerS, PROJECT, SYNC_USER, type SizeStack } from './bench-stack.js';
import { bounded, type Outcome } from './bounded.js';
import { counted, type Counted } from './counted.js';
import { instanceId, perProduct, REGION } from './seed-memorystore.js';

/** Events of each kind per size; the figures are per event (totals divided by this). */
export const EVENTS_PER_KIND = 5;

export interface EventPath {
  readonly bridge: EventBridge;
  stop(): Promise<void>;
}

/** Delivers the events topic to the event function from now on (entries published before are not seen). */
export async function startEventPath(pubsub: PubSub, stack: SizeStack, functionUrl: string): Promise<EventPath> {
  const [subscription] = await pubsub
    .topic(stack.eventsTopic)
    .createSubscription(`sync-trigger-${Date.now()}`, { ackDeadlineSeconds: 60 });
  const bridge = await startEventBridge({ client: pubsub, subscription: subscription.name, targetUrl: functionUrl });
  return { bridge, stop: () => bridge.stop() };
}

export interface EventCost extends Counted<void> {
  readonly events: number;
  /**
   * The apiserver's background CPU rate just before the phase. Measured again here, not only as the stack came up:
   * after a converge, kubectl's and the probe's writes, its own work (garbage collection, caches) runs at another rate,
   * and netting the phase against the start-up rate would charge that work to the events.
   */
  readonly apiserverIdleCpuPerS: number;
  /** Deliveries the function did not answer with 2xx (each is retried, as Pub/Sub would). */
  readonly failedDeliveries: number;
}

/** One event at a time: the change through the Memorystore API, then the event path settles. */
async function eachEvent(stack: SizeStack, path: EventPath, change: (k: number) => Promise<unknown>): Promise<void> {
  for (let k = 0; k < EVENTS_PER_KIND; k++) {
    await change(k);
    await stack.memorystore.settled();
    await path.bridge.idle(300, 120_000);
  }
}

async function measureEvents(
  stack: SizeStack,
  path: EventPath,
  functionPid: number,
  change: (k: number) => Promise<unknown>,
): Promise<EventCost> {
  const apiserverIdleCpuPerS = await idleCpuPerS(stack.apiserverPid);
  const deliveredBefore = path.bridge.deliveries.length;
  const cost = await counted(stack, SYNC_USER, () => eachEvent(stack, path, change), functionPid);
  const failedDeliveries = path.bridge.deliveries
    .slice(deliveredBefore)
    .filter((d) => d.status < 200 || d.status >= 300).length;
  return { ...cost, events: EVENTS_PER_KIND, failedDeliveries, apiserverIdleCpuPerS };
}

/** A resize of the k-th Redis instance (to 2 + k GB): an event that changes nothing in the cluster. */
function resize(stack: SizeStack, size: number, k: number): Promise<unknown> {
  const name = `projects/${PROJECT}/locations/${REGION}/instances/${instanceId(k % perProduct(size))}`;
  return stack.redis.updateInstance({
    updateMask: { paths: ['memory_size_gb'] },
    instance: { name, memorySizeGb: 2 + k },
  });
}

/**
 * Requests, bytes and CPU per event on a cluster holding `size` managed instances of the four products: a no-op (a
 * resize of a Redis instance, which must change nothing) and a create (a new Redis instance: its objects and a
 * gateway port are written). `functionPid` is the event function's process.
 */
export async function eventCosts(
  stack: SizeStack,
  path: EventPath,
  size: number,
  functionPid: number,
): Promise<{ noop: Outcome<EventCost>; create: Outcome<EventCost> }> {
  const timeoutMs = 180_000;
  // The function's first event loads its clients and compiles its code (the first-event phase measures that): one
  // event first, not counted, so the figures are those of an event to a warm instance.
  await bounded(`N=${size}: one event to warm the function (not measured)`, timeoutMs, async () => {
    await resize(stack, size, EVENTS_PER_KIND);
    await stack.memorystore.settled();
    await path.bridge.idle(300, 120_000);
  });
  const noop = await bounded(`N=${size}: ${EVENTS_PER_KIND} no-op events (resize)`, timeoutMs, () =>
    measureEvents(stack, path, functionPid, (k) => resize(stack, size, k)),
  );
  const create = await bounded(`N=${size}: ${EVENTS_PER_KIND} create events`, timeoutMs, () =>
    measureEvents(stack, path, functionPid, (k) =>
      stack.redis.createInstance({
        parent: `projects/${PROJECT}/locations/${REGION}`,
        instanceId: `added-${k}`,
        instance: { tier: 'BASIC', memorySizeGb: 1 },
      }),
    ),
  );
  return { noop, create };
}

/**
 * An event function's share of an event's apiserver CPU: less the apiserver's idle rate over the same time, as
 * measured just before the phase (or, from an older result, as the stack came up).
 */
export const netApiserverCpu = (idlePerS: number | undefined) => (e: EventCost) =>
  e.cpu.apiserverS - (e.apiserverIdleCpuPerS ?? idlePerS ?? 0) * (e.wallMs / 1000);
