import type { CloudRedisClient } from '@google-cloud/redis';
import type { FakeMemorystore } from '../../dev/harness/memorystore/index.js';

export const REGION = 'us-central1';
const CONCURRENCY = 32;

/** `cache-00042`: ids that sort in creation order. */
export const instanceId = (i: number): string => `cache-${String(i).padStart(5, '0')}`;

/**
 * Fills the local Memorystore API with `count` READY instances through its public API (CreateInstance), a bounded
 * number at a time, and waits until every operation has finished. Their audit entries reach the events topic before
 * any subscription exists, so no function sees them: the cluster starts empty.
 */
export async function seedInstances(
  redis: CloudRedisClient,
  memorystore: FakeMemorystore,
  project: string,
  count: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const id = instanceId(next++);
      await redis.createInstance({
        parent: `projects/${project}/locations/${REGION}`,
        instanceId: id,
        instance: { tier: 'BASIC', memorySizeGb: 1 },
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await memorystore.settled();
  const ready = memorystore.instances().filter((i) => i.state === 'READY').length;
  if (ready < count) throw new Error(`only ${ready} of ${count} instances are READY`);
}
