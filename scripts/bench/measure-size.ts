import { join } from 'node:path';
import { parseRenderSettings } from '../../shared/config/parse-config.js';
import { planSettingsOf } from '../../shared/plan/plan-settings.js';
import type { TokenIssuer } from '../../dev/harness/id-tokens.js';
import {
  BASELINE_NAMESPACE,
  CEILING_NAMESPACE,
  functionEnv,
  PROJECT,
  PROJECT_NAMESPACE,
  startSizeStack,
  type BenchPubSub,
  type SizeStack,
} from './bench-stack.js';
import { bounded, sleep, type Outcome } from './bounded.js';
import { ceilingApply, CEILING_STREAMS } from './ceiling-probe-phase.js';
import { boundedCount, type Counted } from './counted.js';
import { expectedCounts } from './count-objects.js';
import { eventCosts, startEventPath, type EventCost } from './event-phases.js';
import { PROJECT_SOURCE, spawnFunction } from './function-process.js';
import { eventLatency, type Latency } from './latency-phase.js';
import { modelInstances, renderConverged, writeManifest } from './render-objects.js';
import {
  kubectlConverge,
  measuredResync,
  phaseTimeoutMs,
  seedWithKubectl,
  slices,
  type ResyncRun,
} from './resync-phases.js';
import { OPERATOR, RESYNC_AUDIENCE } from './resync-call.js';
import { perProduct, seedEveryProduct } from './seed-memorystore.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import type { PlanSettings } from '../../shared/plan/plan-settings.js';

export interface SizeResult {
  readonly size: number;
  readonly objects?: number;
  /** Ports the rendered state adds to the egress gateway Service. */
  readonly ports?: number;
  /** Audit records the functions published to AUDIT_TOPIC over the size's phases. */
  readonly auditRecords?: number;
  /** The apiserver's CPU seconds per second at rest, measured as the stack came up. */
  readonly apiserverIdleCpuPerS?: number;
  readonly kubectl?: Outcome<Counted<number>>;
  /** The same objects applied over HTTP/2, CEILING_STREAMS at a time: what the apiserver can take. */
  readonly ceiling?: Outcome<Counted<number>>;
  readonly converge?: Outcome<ResyncRun>;
  /** Set when the project's converge did not converge and kubectl wrote the state the later phases need. */
  readonly seededByKubectl?: boolean;
  readonly noopIdleMiB?: number;
  readonly noop?: Outcome<ResyncRun>;
  readonly events?: { readonly noop: Outcome<EventCost>; readonly create: Outcome<EventCost> };
  readonly latency?: Outcome<Latency>;
  /** Why the size stopped early, if it did. */
  readonly aborted?: string;
  /** How long the whole size took, stack start to stop. */
  readonly elapsedMs?: number;
}

export interface RunContext {
  readonly pubsub: BenchPubSub;
  readonly issuer: TokenIssuer;
  readonly latencySize: number;
  /**
   * Called once on the first stack, after its measured phases, for the measurements that do not depend on N (they
   * may add instances, so they come last).
   */
  readonly onFirstStack?: (stack: SizeStack, env: Record<string, string>) => Promise<void>;
}

async function withStack(
  context: RunContext,
  size: number,
  body: (stack: SizeStack) => Promise<SizeResult>,
): Promise<SizeResult> {
  const stack = await bounded(`N=${size}: start a fresh local stack`, 180_000, () =>
    startSizeStack(context.pubsub, size),
  );
  if (!stack.ok) return { size, aborted: `stack did not start: ${stack.reason}` };
  try {
    const result = await body(stack.value);
    return {
      ...result,
      apiserverIdleCpuPerS: stack.value.apiserverIdleCpuPerS,
      auditRecords: stack.value.auditRecords(),
    };
  } finally {
    await stack.value.stop();
  }
}

/** Every measurement at one size, in order; each phase is bounded and a failed one leaves the next to run. */
export function measureSize(context: RunContext, size: number): Promise<SizeResult> {
  return withStack(context, size, async (stack) => {
    const each = perProduct(size);
    const seeded = await bounded(
      `N=${size}: create ${each} instances of each of the four products in the Memorystore API`,
      60_000 + size * 30,
      () => seedEveryProduct(stack.clients, stack.memorystore, PROJECT, each),
    );
    if (!seeded.ok) return { size, aborted: `seeding failed: ${seeded.reason}` };
    const env = functionEnv(stack, { audience: RESYNC_AUDIENCE, caller: OPERATOR, certsUrl: context.issuer.certsUrl });
    const settings = planSettingsOf(parseRenderSettings(env));
    const instances = modelInstances(stack.memorystore);
    const objects = renderConverged(settings, instances);
    const inNamespace = (namespace: string): KubeObject[] =>
      renderConverged(
        planSettingsOf(
          parseRenderSettings({ ...env, ISTIO_NAMESPACE: namespace, EGRESS_GATEWAY_NAMESPACE: namespace }),
        ),
        instances,
      );
    const baseline = inNamespace(BASELINE_NAMESPACE);
    // BENCH_KUBECTL=off skips the baseline (it is most of a run at 5,000), for quick runs of the project's own figures.
    const kubectl =
      process.env['BENCH_KUBECTL'] === 'off'
        ? undefined
        : await kubectlConverge(
            stack,
            writeManifest(join(stack.workDir, 'baseline.yaml'), baseline),
            size,
            settings.ownerId,
          );
    const ceiling = await ceilingConverge(stack, inNamespace(CEILING_NAMESPACE), size, settings);
    const check = { size, namespace: PROJECT_NAMESPACE, expected: expectedCounts(objects) };

    const converge = await withFunction(stack, env, 'resync', (fn) =>
      measuredResync('converge from empty (resync)', stack, fn, context.issuer, { ...check, noop: false }),
    );
    const converged = converge.ok && !converge.value.failure;
    // The later phases need a converged cluster; when the project could not converge it, kubectl writes the same
    // objects.
    if (!converged)
      await seedWithKubectl(
        stack,
        slices(objects).map((part, i) => writeManifest(join(stack.workDir, `project-${i}.yaml`), part)),
        size,
        settings.ownerId,
      );
    let noopIdleMiB: number | undefined;
    const noop = await withFunction(stack, env, 'resync', async (fn) => {
      await sleep(2000);
      noopIdleMiB = fn.memory().rssMiB;
      return measuredResync('no-op resync', stack, fn, context.issuer, { ...check, noop: true });
    });
    const events = await withFunction(stack, env, 'syncOnAuditLog', async (fn) => {
      const path = await startEventPath(context.pubsub.client, stack, fn.url);
      try {
        const costs = await eventCosts(stack, path, size, fn.pid);
        const latency = size === context.latencySize ? await eventLatency(stack, path, size) : undefined;
        return { ok: true as const, value: { costs, latency } };
      } finally {
        await path.stop();
      }
    });
    await context.onFirstStack?.(stack, env);
    return {
      size,
      objects: objects.length,
      ports: (expectedCounts(objects).get('Service port') ?? 2) - 2,
      ...(kubectl ? { kubectl } : {}),
      ...(ceiling ? { ceiling } : {}),
      converge,
      seededByKubectl: !converged,
      noop,
      ...(noopIdleMiB !== undefined ? { noopIdleMiB } : {}),
      ...(events.ok
        ? { events: events.value.costs, ...(events.value.latency ? { latency: events.value.latency } : {}) }
        : { aborted: `event phases: ${events.reason}` }),
    };
  });
}

/** The ceiling probe (BENCH_CEILING=off skips it), into a namespace of its own. */
function ceilingConverge(
  stack: SizeStack,
  objects: readonly KubeObject[],
  size: number,
  settings: PlanSettings,
): Promise<Outcome<Counted<number>>> | undefined {
  if (process.env['BENCH_CEILING'] === 'off') return undefined;
  return boundedCount(
    stack,
    'admin',
    `N=${size}: ceiling probe (server-side apply over HTTP/2, ${CEILING_STREAMS} streams)`,
    phaseTimeoutMs(size),
    (signal) => ceilingApply(stack, objects, `${settings.ownerId}-ceiling`, signal),
  );
}

/** A fresh function process for one phase, stopped after it (also when the phase timed out with a call in flight). */
async function withFunction<T>(
  stack: SizeStack,
  env: Record<string, string>,
  target: string,
  body: (fn: Awaited<ReturnType<typeof spawnFunction>>) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  const fn = await bounded(`start ${target}`, 90_000, () => spawnFunction(PROJECT_SOURCE, target, env, stack.workDir));
  if (!fn.ok) return fn;
  try {
    return await body(fn.value);
  } finally {
    await fn.value.stop();
  }
}
