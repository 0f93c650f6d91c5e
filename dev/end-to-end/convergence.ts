import { parseInstanceName } from '../../shared/products/instance-name.js';
import { ANNOTATION_INSTANCE_NAME, ISTIO_KINDS, type KubeObject } from '../../shared/model/k8s-object.js';
import { objectName, serviceEntryName } from '../../shared/render/names.js';
import type { FakeInstance } from '../harness/memorystore/index.js';

/** What the cluster holds against what Memorystore holds, instance by instance: each list is empty when all is well. */
export interface ClusterFindings {
  /** Instances that exist and have all of their objects and gateway ports. */
  readonly configured: string[];
  /** Instances that exist and have none of their objects: an update was lost. */
  readonly missing: string[];
  /** Instances (existing or deleted) with some but not all of their objects. */
  readonly halfConfigured: string[];
  /** Deleted instances whose objects are still there. */
  readonly orphaned: string[];
  /** Gateway ports given to more than one server, or listed twice on the Service. */
  readonly duplicatePorts: number[];
  /** Our gateway servers whose port is not on the egress gateway Service. */
  readonly unservedPorts: number[];
}

/** The names an instance's objects must have, as `Kind/name`; the read endpoint has a ServiceEntry of its own. */
function expectedKeys(instance: FakeInstance): string[] {
  const name = parseInstanceName(instance.name)!;
  const keys = ISTIO_KINDS.map((kind) => `${kind}/${objectName(name)}`);
  return instance.readEndpoint ? [...keys, `ServiceEntry/${serviceEntryName(name, 'read')}`] : keys;
}

function gatewayPortsOf(objects: Iterable<KubeObject>): number[] {
  return [...objects]
    .filter((o) => o.kind === 'Gateway' && o.metadata.annotations?.[ANNOTATION_INSTANCE_NAME])
    .flatMap((g) => (g.spec['servers'] as Array<{ port: { number: number } }>).map((s) => s.port.number));
}

const repeated = (values: number[]): number[] => [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];

/**
 * Compares the Istio objects and Service ports (as an administrator reads them) with Memorystore's instances.
 * `everSeen` names every instance the run touched, so deleted ones are checked for leftovers too.
 */
export function inspectCluster(
  objects: Map<string, KubeObject>,
  servicePorts: number[],
  instances: FakeInstance[],
  everSeen: Iterable<string>,
): ClusterFindings {
  const live = new Map(instances.map((i) => [i.name, i]));
  const ownedBy = (full: string): string[] =>
    [...objects.entries()]
      .filter(([, o]) => o.metadata.annotations?.[ANNOTATION_INSTANCE_NAME] === full)
      .map(([key]) => key);
  const findings: ClusterFindings = {
    configured: [],
    missing: [],
    halfConfigured: [],
    orphaned: [],
    duplicatePorts: [],
    unservedPorts: [],
  };
  for (const full of new Set([...everSeen, ...live.keys()])) {
    const have = ownedBy(full);
    const instance = live.get(full);
    if (!instance) {
      if (have.length > 0) findings.orphaned.push(full);
      continue;
    }
    const want = expectedKeys(instance);
    const present = want.filter((key) => have.includes(key));
    if (present.length === 0) findings.missing.push(full);
    else if (present.length < want.length) findings.halfConfigured.push(full);
    else findings.configured.push(full);
  }
  const gatewayPorts = gatewayPortsOf(objects.values());
  findings.duplicatePorts.push(...repeated(gatewayPorts), ...repeated(servicePorts));
  findings.unservedPorts.push(...gatewayPorts.filter((p) => !servicePorts.includes(p)));
  return findings;
}

/** Deliveries per event (Pub/Sub message), as the event bridge counted them. */
export interface DeliveryFigures {
  readonly events: number;
  readonly maxDeliveries: number;
  readonly p99Deliveries: number;
  /** Events whose last delivery was not acknowledged (2xx): they would be retried or dead-lettered. */
  readonly unacknowledged: number;
}

export function deliveryFigures(deliveries: ReadonlyArray<{ messageId: string; status: number }>): DeliveryFigures {
  const counts = new Map<string, number>();
  const lastStatus = new Map<string, number>();
  for (const d of deliveries) {
    counts.set(d.messageId, (counts.get(d.messageId) ?? 0) + 1);
    lastStatus.set(d.messageId, d.status);
  }
  const sorted = [...counts.values()].sort((a, b) => a - b);
  const p99 = sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
  const unacknowledged = [...lastStatus.values()].filter((s) => s < 200 || s >= 300).length;
  return { events: counts.size, maxDeliveries: sorted.at(-1) ?? 0, p99Deliveries: p99, unacknowledged };
}

/**
 * Writes a dry-run resync plans (its report's create, update and delete records): 0 when the cluster matches the plan.
 */
export function plannedWrites(
  body: Record<string, unknown>,
): Array<{ action: string; object: { kind: string; name: string } }> {
  const records = (body['records'] ?? []) as Array<{ action: string; object: { kind: string; name: string } }>;
  return records.filter((r) => r.action === 'create' || r.action === 'update' || r.action === 'delete');
}
