import { ISTIO_KINDS } from '../../shared/model/k8s-object.js';
import { parseRenderSettings } from '../../shared/config/parse-config.js';
import { planSettingsOf } from '../../shared/plan/plan-settings.js';
import { functionEnv, PROJECT, PROJECT_NAMESPACE, startSizeStack, type BenchPubSub } from './bench-stack.js';
import { bounded, type Outcome } from './bounded.js';
import { expectedCounts, gatewayPorts } from './count-objects.js';
import { deployedNodeOptions, PROJECT_SOURCE, spawnFunction, type FunctionProcess } from './function-process.js';
import { sleep } from './bounded.js';
import { modelInstances, renderConverged } from './render-objects.js';
import { OPERATOR, RESYNC_AUDIENCE } from './resync-call.js';
import { measuredResync, type ResyncRun } from './resync-phases.js';
import type { TokenIssuer } from '../../dev/harness/id-tokens.js';
import { seedMemcached } from './seed-memorystore.js';

export const DEFAULT_PORTS = 20_000;
/**
 * The function_memory of this phase: Terraform picks 512Mi when several products are enabled (terraform/memory.tf),
 * as they are here, and at 256Mi the heap does not hold the objects of 20,000 ports (the phase would measure memory,
 * not ports). BENCH_NODE_OPTIONS still wins.
 */
export const PORTS_MEMORY_MIB = 512;
/** Memcached nodes per instance: each node is an endpoint with a gateway port, and so is the discovery endpoint. */
const NODES = 4;
const PORTS_PER_INSTANCE = NODES + 1;

export interface PortsResult {
  readonly wanted: number;
  readonly instances: number;
  /** Gateway ports the rendered state holds. */
  readonly rendered?: number;
  readonly converge?: Outcome<ResyncRun>;
  /** Ports the project added on the gateway Service(s) after the resync, and over how many Services. */
  readonly onServices?: Outcome<{ ports: number; services: number }>;
  readonly aborted?: string;
  readonly elapsedMs: number;
}

/** Why the function process ended, if it did: a dropped connection says little, V8's last words say more. */
async function deathOf(fn: FunctionProcess): Promise<string | undefined> {
  for (let waited = 0; waited < 3000 && !fn.ended(); waited += 100) await sleep(100);
  const ended = fn.ended();
  if (!ended) return undefined;
  await sleep(500);
  return `the function died (${ended}): ${/heap out of memory/i.test(fn.tail(100)) ? 'V8 heap exhausted' : fn.tail(1)}`;
}

/** The outcome with the function's death in front of its reason, when it died. */
function withDeath(converge: Outcome<ResyncRun>, died: string | undefined): Outcome<ResyncRun> {
  if (!died) return converge;
  if (!converge.ok) return { ok: false, reason: `${died}; ${converge.reason}` };
  return { ok: true, value: { ...converge.value, failure: `${died}; ${converge.value.failure ?? ''}` } };
}

/** How many gateway ports the phase asks for: BENCH_PORTS (a number, or `off` to skip), DEFAULT_PORTS unset. */
export function portsWanted(value: string | undefined): number | undefined {
  if (value === 'off') return undefined;
  const wanted = Number(value ?? DEFAULT_PORTS);
  if (!Number.isInteger(wanted) || wanted < PORTS_PER_INSTANCE)
    throw new Error(`BENCH_PORTS must be a whole number of ports (at least ${PORTS_PER_INSTANCE}) or off: ${value}`);
  return wanted;
}

/**
 * Many gateway ports: a fresh stack with enough four-node Memcached instances to need `wanted` gateway ports, one
 * resync from empty by the deployed function; whether it converged (its answer and the objects in the cluster), and
 * the ports on the gateway Service(s) afterwards. A refusal by the apiserver is in the resync's instance errors.
 */
export async function manyPorts(pubsub: BenchPubSub, issuer: TokenIssuer, wanted: number): Promise<PortsResult> {
  const started = Date.now();
  const instances = Math.ceil(wanted / PORTS_PER_INSTANCE);
  const base = { wanted, instances };
  const stack = await bounded(`${wanted} ports: start a fresh local stack`, 180_000, () =>
    startSizeStack(pubsub, instances),
  );
  if (!stack.ok) return { ...base, aborted: `stack did not start: ${stack.reason}`, elapsedMs: Date.now() - started };
  const world = stack.value;
  try {
    const seeded = await bounded(
      `${wanted} ports: create ${instances} Memcached instances`,
      60_000 + instances * 30,
      () => seedMemcached(world.clients.memcache, world.memorystore, PROJECT, instances, NODES),
    );
    if (!seeded.ok) return { ...base, aborted: `seeding failed: ${seeded.reason}`, elapsedMs: Date.now() - started };
    const env = functionEnv(world, { audience: RESYNC_AUDIENCE, caller: OPERATOR, certsUrl: issuer.certsUrl });
    const objects = renderConverged(planSettingsOf(parseRenderSettings(env)), modelInstances(world.memorystore));
    const counts = expectedCounts(objects);
    // The Istio objects only: the ports are counted over every Service below, wherever the project put them.
    const expected = new Map(ISTIO_KINDS.map((kind) => [kind, counts.get(kind) ?? 0]));
    const nodeOptions = process.env['BENCH_NODE_OPTIONS'] ?? deployedNodeOptions(PORTS_MEMORY_MIB);
    const fn = await spawnFunction(PROJECT_SOURCE, 'resync', { ...env, NODE_OPTIONS: nodeOptions }, world.workDir);
    let converge: Outcome<ResyncRun>;
    try {
      const outcome = await measuredResync(`${wanted} ports: converge from empty (resync)`, world, fn, issuer, {
        size: instances,
        namespace: PROJECT_NAMESPACE,
        expected,
        noop: false,
      });
      converge = withDeath(outcome, await deathOf(fn));
    } finally {
      await fn.stop();
    }
    const onServices = await bounded(`${wanted} ports: count the gateway ports`, 60_000, () =>
      gatewayPorts(world.controlPlane.adminKubeconfigPath, PROJECT_NAMESPACE),
    );
    const rendered = (counts.get('Service port') ?? 2) - 2;
    return { ...base, rendered, converge, onServices, elapsedMs: Date.now() - started };
  } finally {
    await world.stop();
  }
}
