import { isDeepStrictEqual } from 'node:util';
import { instanceObjectRef } from '../model/instance.js';
import { instanceNameOf, refKey, refOf, type KubeObject } from '../model/k8s-object.js';
import type { DesiredState } from './desired-state.js';
import { orderChanges } from './order.js';
import type { Change, Plan } from './plan-types.js';
import { serviceApplyBody, type GatewayServiceState, type ServicePort } from './service-ports.js';

/** Only what we render is compared: labels and annotations others add to our objects are not drift. */
function sameContent(live: KubeObject, desired: KubeObject): boolean {
  const subset = (all: Readonly<Record<string, string>> | undefined, wanted: Readonly<Record<string, string>> | undefined): boolean =>
    Object.entries(wanted ?? {}).every(([k, v]) => all?.[k] === v);
  return (
    isDeepStrictEqual(live.spec, desired.spec) &&
    subset(live.metadata.labels, desired.metadata.labels) &&
    subset(live.metadata.annotations, desired.metadata.annotations)
  );
}

/** The object to write for an update: desired content on the live object's metadata (kept: others' labels, version). */
function updated(live: KubeObject, desired: KubeObject): KubeObject {
  const metadata = {
    ...desired.metadata,
    labels: { ...live.metadata.labels, ...desired.metadata.labels },
    annotations: { ...live.metadata.annotations, ...desired.metadata.annotations },
    ...(live.metadata.resourceVersion ? { resourceVersion: live.metadata.resourceVersion } : {}),
  };
  return { ...desired, metadata };
}

function objectChange(desired: KubeObject, live: KubeObject | undefined, foreign: KubeObject | undefined): Change {
  const base = { ref: refOf(desired), ...(instanceNameOf(desired) ? { instance: instanceNameOf(desired) } : {}) };
  if (live) return sameContent(live, desired) ? { ...base, action: 'unchanged', before: live, after: live } : { ...base, action: 'update', before: live, after: updated(live, desired) };
  if (foreign) return { ...base, action: 'conflict', before: foreign, reason: 'an object of that name exists and is not owned by this deployment; it is left untouched' };
  return { ...base, action: 'create', after: desired };
}

/**
 * Our ports on the egress gateway Service. Added ports go in one step (before the Gateways use them) and removed
 * ports in another (after the Gateways that used them are gone), so a plan that does both stays make-before-break.
 */
function servicePortChanges(service: GatewayServiceState, ports: NonNullable<DesiredState['servicePorts']>): Change[] {
  const beforeNumbers = new Set(ports.before.map((p) => p.port));
  const added = ports.after.filter((p) => !beforeNumbers.has(p.port));
  const grown = [...ports.before, ...added];
  const ref = { apiVersion: 'v1', kind: 'Service', namespace: service.namespace, name: service.name };
  const body = (list: readonly ServicePort[]): KubeObject => serviceApplyBody(service, list);
  // Both steps carry the version read; the second is given the version of the first at apply time (apply-plan.ts).
  const changes: Change[] = [];
  if (added.length > 0) changes.push({ action: 'update', ref, before: body(ports.before), after: body(grown), reason: 'gateway ports added' });
  // Ports removed, or renamed into quarantine: after the Gateways that used them are gone.
  if (!samePorts(grown, ports.after)) changes.push({ action: 'update', ref, before: body(grown), after: body(ports.after), reason: 'gateway ports freed' });
  if (changes.length === 0) changes.push({ action: 'unchanged', ref, before: body(ports.before), after: body(ports.before) });
  return changes;
}

const portKey = (p: ServicePort): string => `${p.port}/${p.name}`;

function samePorts(a: readonly ServicePort[], b: readonly ServicePort[]): boolean {
  const keys = new Set(a.map(portKey));
  return a.length === b.length && b.every((p) => keys.has(portKey(p)));
}

/**
 * Turns the desired state into an ordered plan against what the cluster holds.
 * `owned`: this deployment's live objects; `foreign`: live objects that hold a desired name but are not ours;
 * `clashing`: objects of blocked instances whose name a foreign object holds, each reported as a conflict.
 */
export interface LiveState {
  readonly foreign: ReadonlyMap<string, KubeObject>;
  readonly service?: GatewayServiceState;
  readonly clashing?: readonly KubeObject[];
}

/** Live objects kept as they are (the instance is settling, or failed to plan), and those no longer desired. */
function liveChanges(state: DesiredState, owned: readonly KubeObject[], desiredKeys: ReadonlySet<string>): Change[] {
  const errorReasons = new Map(state.errors.map((e) => [e.instance, e.message]));
  return owned.flatMap((live): Change[] => {
    const instance = instanceNameOf(live) ?? '';
    const base = { ref: refOf(live), instance, before: live };
    const keptReason = state.kept.get(instance) ?? errorReasons.get(instance);
    if (keptReason !== undefined) return [{ ...base, action: 'skipped', after: live, reason: keptReason }];
    return state.reconciled.has(instance) && !desiredKeys.has(refKey(refOf(live))) ? [{ ...base, action: 'delete' }] : [];
  });
}

export function planChanges(state: DesiredState, owned: readonly KubeObject[], { foreign, service, clashing = [] }: LiveState): Plan {
  const liveByKey = new Map(owned.map((o) => [refKey(refOf(o)), o]));
  const desiredKeys = new Set(state.desired.map((d) => refKey(refOf(d))));
  const changes: Change[] = [...state.desired, ...clashing].map((d) => objectChange(d, liveByKey.get(refKey(refOf(d))), foreign.get(refKey(refOf(d)))));
  changes.push(...liveChanges(state, owned, desiredKeys));
  // An instance this mode cannot configure gets one record saying so, on the instance itself.
  for (const [instance, reason] of state.unsupported) changes.push({ action: 'skipped', ref: instanceObjectRef(instance), instance, reason });
  if (service && state.servicePorts) changes.push(...servicePortChanges(service, state.servicePorts));
  return { changes: orderChanges(changes), errors: state.errors };
}
