import { instanceNameOf, LABEL_INSTANCE, type KubeObject, type ObjectRef } from '../model/k8s-object.js';
import { parseServicePortName } from '../render/port-names.js';
import { serviceApplyBody, type OwnService, type PortOwner, type ServicePort } from './service-ports.js';

/**
 * Our ports on the egress gateway Service. The Service is not ours (the Istio installer made it): we add and remove
 * only our own ports, by server-side apply under our field manager, so the change is a set of ports, not an object.
 *
 * It comes in two phases of the make-before-break order (order.ts): `make` adds the ports new routes need, before
 * the Gateways that use them; `break` removes ports (or renames them into quarantine), after the Gateways that used
 * them are gone. Each apply carries the Service's resourceVersion, the one read for the first apply of a plan and the
 * one the previous apply left for the next (apply-plan.ts), so two reconciles never both hand out a port they each
 * saw as free.
 */
export interface ServicePortsChange {
  readonly target: 'service-ports';
  /** `delete`: a Service of ours whose last port goes (a Service cannot be left with none). */
  readonly action: 'update' | 'delete' | 'unchanged';
  readonly ref: ObjectRef;
  readonly phase: 'make' | 'break';
  /** Our ports on the Service before this change, as planned: as read, or as the make phase leaves them. */
  readonly base: readonly ServicePort[];
  readonly add: readonly ServicePort[];
  readonly remove: readonly ServicePort[];
  /** The Service's resourceVersion as the plan read it. */
  readonly readVersion?: string;
  /** A Service of this deployment's own (a block of ports after the first): written whole. */
  readonly own?: OwnService;
  /**
   * The instances the added and removed ports belong to, by the instance key each port's name carries (a port renamed
   * into quarantine belongs to the instance it was freed from).
   */
  readonly owners: readonly string[];
  /** Changed ports whose name names no live instance: strays, and quarantined ports whose period is over. */
  readonly unowned: number;
  /** The one instance the changed ports belong to, when there is one: its audit record names it. */
  readonly instance?: string;
  readonly reason?: string;
}

/** A port is the same port only if everything we write of it is the same. */
const samePort = (a: ServicePort, b: ServicePort | undefined): boolean =>
  b !== undefined &&
  a.port === b.port &&
  a.name === b.name &&
  a.targetPort === b.targetPort &&
  a.protocol === b.protocol;

/** Ports by number: a Service holds each of our (TCP) port numbers once. */
const byNumber = (ports: readonly ServicePort[]): Map<number, ServicePort> => new Map(ports.map((p) => [p.port, p]));

/** Our ports once the change is applied. */
export function portsAfter(change: Pick<ServicePortsChange, 'base' | 'add' | 'remove'>): ServicePort[] {
  const removed = byNumber(change.remove);
  return [...change.base.filter((p) => !samePort(p, removed.get(p.port))), ...change.add];
}

/**
 * The apply body of the change (our ports after it) carrying `version`; with apply semantics, ports of ours left out
 * are removed and ports other managers own are never touched.
 */
export function applyBodyOf(change: ServicePortsChange, version: string | undefined): KubeObject {
  return serviceApplyBody(
    { namespace: change.ref.namespace, name: change.ref.name, ...(version ? { resourceVersion: version } : {}) },
    portsAfter(change),
    change.own,
  );
}

/**
 * The Service as our ports make it before and after the change: what an operator's diff and the audit patch compare.
 */
export function serviceObjectsOf(change: ServicePortsChange): { before: KubeObject; after: KubeObject } {
  const service = {
    namespace: change.ref.namespace,
    name: change.ref.name,
    ...(change.readVersion ? { resourceVersion: change.readVersion } : {}),
  };
  return {
    before: serviceApplyBody(service, change.base, change.own),
    after: serviceApplyBody(service, portsAfter(change), change.own),
  };
}

export interface PortPlan {
  readonly service: { readonly namespace: string; readonly name: string; readonly resourceVersion?: string };
  /** A Service of ours (gateway-services.ts), and how many ports others put on it. */
  readonly own?: OwnService;
  readonly foreignPorts?: number;
  /** Our ports as read, and as the plan ends with them. */
  readonly before: readonly ServicePort[];
  readonly after: readonly ServicePort[];
  /** The ports of `after` that belong to an instance, with that instance (desired-state.ts). */
  readonly owners: readonly PortOwner[];
  /** Our live objects: their labels tell which instance the key in a removed port's name stands for. */
  readonly owned: readonly KubeObject[];
}

/**
 * The changes of our ports: added ports in the make phase, removed (or renamed) ports in the break phase, so a plan
 * that does both stays make before break. A plan that changes none has one `unchanged` change.
 */
export function servicePortChanges(plan: PortPlan): ServicePortsChange[] {
  const before = byNumber(plan.before);
  const after = byNumber(plan.after);
  const added = plan.after.filter((p) => !before.has(p.port));
  const grown = [...plan.before, ...added];
  // Added ports stay: what the break phase removes, and puts back under another name (quarantine) or with other
  // content, are ports read.
  const removed = plan.before.filter((p) => !samePort(p, after.get(p.port)));
  const renamed = plan.after.filter((p) => before.has(p.port) && !samePort(p, before.get(p.port)));
  const ref = { apiVersion: 'v1', kind: 'Service', namespace: plan.service.namespace, name: plan.service.name };
  const common = {
    target: 'service-ports' as const,
    ref,
    ...(plan.service.resourceVersion ? { readVersion: plan.service.resourceVersion } : {}),
    ...(plan.own ? { own: plan.own } : {}),
  };
  const emptied = emptiedService(plan);
  // Looked up only when a port changes, not for every port of a resync; live objects only for a port removed.
  let planned: ReadonlyMap<string, string> | undefined;
  let live: ReadonlyMap<string, string> | undefined;
  const ownerOf = (port: ServicePort): string | undefined =>
    (planned ??= new Map(plan.owners.map((o) => [o.port.name, o.instance]))).get(port.name) ??
    (live ??= instancesByKey(plan.owned)).get(parseServicePortName(port.name)?.key ?? '');
  const whose = (what: string, ports: readonly ServicePort[]): Attribution => attribution(what, ports, ownerOf);
  const changes: ServicePortsChange[] = [];
  if (added.length > 0)
    changes.push({
      ...common,
      action: 'update',
      phase: 'make',
      base: plan.before,
      add: added,
      remove: [],
      ...whose('gateway ports added', added),
    });
  if (removed.length > 0 || renamed.length > 0) {
    // A port renamed into quarantine names no instance: it is the port removed under its old name, whose owner counts.
    const removedNumbers = new Set(removed.map((p) => p.port));
    const attributed = [
      ...removed,
      ...renamed.filter((p) => parseServicePortName(p.name) !== undefined || !removedNumbers.has(p.port)),
    ];
    changes.push({
      ...common,
      action: emptied ? 'delete' : 'update',
      phase: 'break',
      base: grown,
      add: renamed,
      remove: removed,
      ...whose('gateway ports freed', attributed),
    });
  }
  if (changes.length === 0)
    changes.push({
      ...common,
      action: 'unchanged',
      phase: 'make',
      base: plan.before,
      add: [],
      remove: [],
      owners: [],
      unowned: 0,
    });
  return changes;
}

/** A Service of ours left with no port at all is deleted: the apiserver refuses a Service without ports. */
const emptiedService = (plan: PortPlan): boolean =>
  plan.own !== undefined && plan.after.length === 0 && (plan.foreignPorts ?? 0) === 0;

/** Instance full names by the key our objects' labels (and our port names) carry. */
function instancesByKey(objects: readonly KubeObject[]): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const object of objects) {
    const key = object.metadata.labels?.[LABEL_INSTANCE];
    const name = instanceNameOf(object);
    if (key !== undefined && name !== undefined) byKey.set(key, name);
  }
  return byKey;
}

type Attribution = Pick<ServicePortsChange, 'owners' | 'unowned' | 'instance' | 'reason'>;

/**
 * Owners a reason names before it only counts the rest: a resync giving thousands of instances their ports would
 * otherwise write a reason of hundreds of KB into every log line of the record (each instance's own records name it).
 */
const NAMED_OWNERS = 20;

/**
 * Whose ports they are. A change of one instance's ports is that instance's (an event's usually is); the ports of
 * several instances (a resync) are one apply and so one record, whose reason names them all. A port whose name names
 * no live instance (a stray, or a quarantined port whose period is over) is counted in the reason.
 */
function attribution(
  what: string,
  ports: readonly ServicePort[],
  ownerOf: (port: ServicePort) => string | undefined,
): Attribution {
  const owners = new Set<string>();
  let unowned = 0;
  for (const port of ports) {
    const owner = ownerOf(port);
    if (owner === undefined) unowned++;
    else owners.add(owner);
  }
  const names = [...owners].sort();
  const listed =
    names.length > NAMED_OWNERS ? [...names.slice(0, NAMED_OWNERS), `and ${names.length - NAMED_OWNERS} more`] : names;
  const several = names.length > 1 ? ` for ${names.length} instances: ${listed.join(', ')}` : '';
  const stray = unowned > 0 ? `; ${unowned} of no live instance (a stray, or out of quarantine)` : '';
  return {
    owners: names,
    unowned,
    ...(names.length === 1 ? { instance: names[0]! } : {}),
    reason: `${what}${several}${stray}`,
  };
}
