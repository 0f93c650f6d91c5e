import { PROJECT, PROJECT_NAMESPACE, type SizeStack } from './bench-stack.js';
import { bounded, sleep, type Outcome } from './bounded.js';
import type { EventPath } from './event-phases.js';
import { instanceId, perProduct, REGION } from './seed-memorystore.js';
import { watchVisible } from './watch-visible.js';

export const LATENCY_EVENTS = 50;

export interface Latency {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Nearest-rank percentile. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Event latency: an instance is re-addressed through the local Memorystore API (UpdateInstance, as a change of
 * in-transit encryption or a repair moves it); from the moment the Pub/Sub server has acknowledged the operation's last
 * audit entry, until the apiserver shows both the ServiceEntry and the VirtualService with the new address. One
 * event at a time, each to a fresh address.
 */
export async function eventLatency(stack: SizeStack, path: EventPath, size: number): Promise<Outcome<Latency>> {
  return bounded(`N=${size}: event latency over ${LATENCY_EVENTS} re-addresses`, 300_000, async () => {
    const watch = await watchVisible(stack.controlPlane, PROJECT_NAMESPACE, ['serviceentries', 'virtualservices']);
    const samples: number[] = [];
    try {
      for (let k = 0; k < LATENCY_EVENTS; k++) {
        const host = `10.250.${Math.floor(k / 250)}.${(k % 250) + 1}`;
        const seen = watch.visible(host);
        await stack.memorystore.readdress(
          `projects/${PROJECT}/locations/${REGION}/instances/${instanceId(k % perProduct(size))}`,
          {
            host,
          },
        );
        const published = performance.now();
        const visibleAt = await Promise.race([
          seen,
          sleep(30_000).then(() => Promise.reject(new Error(`${host} not visible 30 s after its event`))),
        ]);
        samples.push(visibleAt - published);
        await path.bridge.idle(200, 60_000);
      }
    } finally {
      watch.stop();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      samples: sorted.length,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1]!,
    };
  });
}
