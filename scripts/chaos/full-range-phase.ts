import { seededRandom } from '../../dev/harness/kube-proxy/fault-mix.js';
import { parseOutboundCluster, type SimCall } from '../../dev/harness/istio-sim/index.js';
import { Routing } from '../../dev/end-to-end/routing.js';
import { instanceNameOf } from '../../shared/model/k8s-object.js';
import { PARENT, startPhaseStack, type PhaseStack, type SharedParts } from './chaos-stack.js';
import type { PhaseRow } from './figures.js';

/**
 * A gateway port range far smaller than the instances want, under events and resyncs: instances are created, gain
 * and lose read endpoints and are deleted in a seeded order, with a short quarantine. After every step Istio's
 * simulator follows each endpoint's connection through the sidecar and the egress gateway on the live objects; a
 * call that ends at a host another instance declared is cross-routed, and must never happen.
 */
export interface FullRangeSize {
  readonly steps: number;
  /** Instance ids the steps pick from. */
  readonly instances: number;
  readonly range: { readonly from: number; readonly to: number };
  readonly seed: number;
}

type Step = 'create' | 'gain read' | 'lose read' | 'delete' | 'resync';
const STEPS: readonly Step[] = ['create', 'create', 'gain read', 'gain read', 'lose read', 'delete', 'resync'];

interface Endpoint {
  readonly instance: string;
  readonly address: string;
  readonly port: number;
}

function endpointsOf(stack: PhaseStack): Endpoint[] {
  return stack.memorystore
    .instances()
    .flatMap((i) => [
      { instance: i.name, address: i.host, port: i.port },
      ...(i.readEndpoint ? [{ instance: i.name, address: i.readEndpoint, port: i.readEndpointPort }] : []),
    ]);
}

/** The calls of each endpoint, followed to the host they end at, that reach a host of another instance. */
async function crossRouted(stack: PhaseStack): Promise<string[]> {
  const routing = new Routing(stack.cluster);
  const endpoints = endpointsOf(stack);
  const calls: SimCall[] = endpoints.map((e) => ({ from: 'sidecar', address: e.address, port: e.port }));
  const first = await routing.simulate(calls);
  const hops = first.results.map((r) => {
    const port = parseOutboundCluster(r.cluster)?.port ?? 0;
    return routing.gatewayCall(first.targetPort(port) ?? port);
  });
  const second = hops.length ? await routing.simulate(hops) : { results: [] };
  const owners = new Map<string, string>();
  for (const object of (await stack.cluster.istioObjects()).values())
    if (object.kind === 'ServiceEntry')
      for (const host of (object.spec['hosts'] ?? []) as string[]) owners.set(host, instanceNameOf(object) ?? '');
  return endpoints.flatMap((e, i) => {
    const host = parseOutboundCluster(second.results[i]?.cluster)?.host;
    const owner = host === undefined ? undefined : owners.get(host);
    return owner !== undefined && owner !== e.instance ? [`${e.address}:${e.port} of ${e.instance} → ${host}`] : [];
  });
}

/** One Memorystore change through the Redis API (its audit entries then reach the function), or a resync. */
async function run(stack: PhaseStack, step: Step, id: string): Promise<string> {
  const name = `${PARENT}/instances/${id}`;
  const exists = stack.memorystore.instances().some((i) => i.name === name);
  if (step === 'resync') return `resync ${(await stack.resync()).status}`;
  if (step === 'create' && !exists) {
    const [operation] = await stack.redis.createInstance({
      parent: PARENT,
      instanceId: id,
      instance: { tier: 'BASIC', memorySizeGb: 1 },
    });
    await operation.promise();
  } else if (step === 'delete' && exists) {
    const [operation] = await stack.redis.deleteInstance({ name });
    await operation.promise();
  } else if ((step === 'gain read' || step === 'lose read') && exists) {
    const gain = step === 'gain read';
    const [operation] = await stack.redis.updateInstance({
      updateMask: { paths: gain ? ['read_replicas_mode', 'replica_count'] : ['read_replicas_mode'] },
      instance: gain
        ? { name, readReplicasMode: 'READ_REPLICAS_ENABLED', replicaCount: 2 }
        : { name, readReplicasMode: 'READ_REPLICAS_DISABLED' },
    });
    await operation.promise();
  } else return `${step} ${id}: nothing to do`;
  return `${step} ${id}`;
}

export async function fullRangePhase(parts: SharedParts, name: string, size: FullRangeSize): Promise<PhaseRow> {
  const started = Date.now();
  const stack = await startPhaseStack(parts, name, {
    GATEWAY_PORT_RANGE: `${size.range.from}-${size.range.to}`,
    PORT_QUARANTINE_SECONDS: '5',
  });
  const random = seededRandom(size.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const found: string[] = [];
  let fullSteps = 0;
  const width = size.range.to - size.range.from + 1;
  try {
    for (let i = 0; i < size.steps; i++) {
      const done = await run(stack, pick(STEPS), `full-${Math.floor(random() * size.instances)}`);
      await stack.memorystore.settled();
      await stack.bridge.idle(1000, 120_000);
      found.push(...(await crossRouted(stack)).map((line) => `after ${done}: ${line}`));
      const inRange = (await stack.cluster.gatewayServicePorts()).filter((p) => p.port >= size.range.from);
      if (inRange.length === width) fullSteps++;
    }
    const notes = [
      found.length ? `cross-routed: ${found.slice(0, 3).join('; ')}` : undefined,
      fullSteps === 0 ? 'the range never filled: nothing was tested' : undefined,
    ].filter((n): n is string => n !== undefined);
    return {
      phase: name,
      seconds: Math.round((Date.now() - started) / 1000),
      events: new Set(stack.bridge.deliveries.map((d) => d.messageId)).size,
      crossRouted: found.length,
      ...(notes.length ? { note: notes.join('; ') } : {}),
    };
  } finally {
    await stack.stop();
  }
}

/** Four gateway ports for up to six instances of up to two endpoints each: full most of the time. */
export const FULL_RANGE = (seed: number): FullRangeSize => ({
  steps: 40,
  instances: 6,
  range: { from: 16000, to: 16003 },
  seed,
});
