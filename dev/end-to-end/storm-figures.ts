import type { FakeMemorystore } from '../harness/memorystore/index.js';
import type { ClusterView } from './cluster-view.js';
import {
  deliveryFigures,
  inspectCluster,
  plannedWrites,
  type ClusterFindings,
  type DeliveryFigures,
} from './convergence.js';
import { foreignTouched, type ForeignSnapshot } from './foreign-objects.js';

export interface StormFigures extends DeliveryFigures {
  readonly findings: ClusterFindings;
  /** Writes a dry-run resync plans once the storm is over: what differs from the plan. */
  readonly divergence: ReadonlyArray<{ action: string; object: { kind: string; name: string } }>;
  readonly dryRunStatus: number;
  readonly foreignTouched: string[];
}

export interface StormInputs {
  readonly cluster: ClusterView;
  readonly memorystore: FakeMemorystore;
  /** Full names of every instance the storm created. */
  readonly everSeen: Iterable<string>;
  readonly foreign: ForeignSnapshot;
  readonly deliveries: ReadonlyArray<{ messageId: string; status: number }>;
  dryRunResync(): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** Everything a storm is judged by, read once it has settled (and the faults are off, for the reads' sake). */
export async function stormFigures(inputs: StormInputs): Promise<StormFigures> {
  const objects = await inputs.cluster.istioObjects();
  const ports = await inputs.cluster.gatewayPorts();
  const dryRun = await inputs.dryRunResync();
  return {
    ...deliveryFigures(inputs.deliveries),
    findings: inspectCluster(objects, ports, inputs.memorystore.instances(), inputs.everSeen),
    divergence: plannedWrites(dryRun.body),
    dryRunStatus: dryRun.status,
    foreignTouched: foreignTouched(inputs.foreign, objects, ports),
  };
}
