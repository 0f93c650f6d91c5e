import type { CloudRedisClient } from '@google-cloud/redis';
import pLimit from 'p-limit';
import type { FakeMemorystore } from '../harness/memorystore/index.js';

/** One Memorystore change; each logs a first and a last audit entry, so each is two events on the topic. */
export type StormStep = 'create' | 'replicas' | 'readdress' | 'delete';

export interface InstanceScript {
  readonly id: string;
  readonly steps: readonly StormStep[];
}

/**
 * A storm of `changes` Memorystore changes over many instances: each instance is created, may then gain read replicas
 * and move address, and a third are deleted again. The changes of one instance run in order, as a person would make
 * them; different instances change at the same time.
 */
export function stormScripts(prefix: string, changes: number, random: () => number): InstanceScript[] {
  const scripts: InstanceScript[] = [];
  let planned = 0;
  for (let index = 0; planned < changes; index++) {
    const steps: StormStep[] = ['create'];
    if (random() < 0.5) steps.push('replicas');
    if (random() < 0.5) steps.push('readdress');
    if (random() < 0.34) steps.push('delete');
    const kept = steps.slice(0, changes - planned);
    scripts.push({ id: `${prefix}-${index}`, steps: kept });
    planned += kept.length;
  }
  return scripts;
}

export interface StormTarget {
  readonly redis: CloudRedisClient;
  readonly memorystore: FakeMemorystore;
  readonly parent: string;
}

type Operation = Promise<[{ promise(): Promise<unknown> }, ...unknown[]]>;
const finished = async (call: Operation): Promise<void> => void (await (await call)[0].promise());

async function runStep(target: StormTarget, full: string, step: StormStep, id: string): Promise<void> {
  const { redis } = target;
  if (step === 'create')
    return finished(
      redis.createInstance({ parent: target.parent, instanceId: id, instance: { tier: 'BASIC', memorySizeGb: 1 } }),
    );
  if (step === 'replicas') {
    return finished(
      redis.updateInstance({
        updateMask: { paths: ['read_replicas_mode', 'replica_count'] },
        instance: { name: full, readReplicasMode: 'READ_REPLICAS_ENABLED', replicaCount: 1 },
      }),
    );
  }
  if (step === 'readdress') return target.memorystore.readdress(full, {});
  return finished(redis.deleteInstance({ name: full }));
}

/** Makes every change of every script, `concurrency` instances at a time; resolves when the API has logged them all. */
export async function runStorm(
  target: StormTarget,
  scripts: readonly InstanceScript[],
  concurrency: number,
): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(
    scripts.map((script) =>
      limit(async () => {
        const full = `${target.parent}/instances/${script.id}`;
        for (const step of script.steps) await runStep(target, full, step, script.id);
      }),
    ),
  );
  await target.memorystore.settled();
}
