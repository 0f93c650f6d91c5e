import { isDeepStrictEqual } from 'node:util';
import { instanceObjectRef } from '../products/instance-name.js';
import { instanceNameOf, refKey, refOf, type KubeObject } from '../model/k8s-object.js';
import type { DesiredState } from './desired-state.js';
import { orderChanges } from './order.js';
import { LABEL_INGRESS_USE_WAYPOINT, LABEL_USE_WAYPOINT } from '../render/render-ambient.js';
import { servicePortChanges } from './port-change.js';
import type { Change, ObjectChange, Plan } from './plan-types.js';
import { portPlansByService, type PortLayout } from './port-services.js';
import type { GatewayServiceState } from './service-ports.js';

/**
 * Labels whose absence we render too: on our objects they are the mode's (ambient mode's waypoint label, the gateway
 * bridge's), so one the desired object lacks is removed, or a ServiceEntry moved out of ambient mode would stay served
 * by the waypoint, or one off the bridge would still take the egress gateway's connections to it.
 */
const MODE_LABELS = [LABEL_USE_WAYPOINT, LABEL_INGRESS_USE_WAYPOINT];

/** Only what we render is compared: labels and annotations others add to our objects are not drift. */
function sameContent(live: KubeObject, desired: KubeObject): boolean {
  const subset = (
    all: Readonly<Record<string, string>> | undefined,
    wanted: Readonly<Record<string, string>> | undefined,
  ): boolean => Object.entries(wanted ?? {}).every(([k, v]) => all?.[k] === v);
  return (
    isDeepStrictEqual(live.spec, desired.spec) &&
    subset(live.metadata.labels, desired.metadata.labels) &&
    MODE_LABELS.every((k) => live.metadata.labels?.[k] === desired.metadata.labels?.[k]) &&
    subset(live.metadata.annotations, desired.metadata.annotations)
  );
}

const withoutModeLabels = (labels: Readonly<Record<string, string>> = {}): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).filter(([k]) => !MODE_LABELS.includes(k)));

/** The object to write for an update: desired content on the live object's metadata (kept: others' labels, version). */
function updated(live: KubeObject, desired: KubeObject): KubeObject {
  const metadata = {
    ...desired.metadata,
    labels: { ...withoutModeLabels(live.metadata.labels), ...desired.metadata.labels },
    annotations: { ...live.metadata.annotations, ...desired.metadata.annotations },
    ...(live.metadata.resourceVersion ? { resourceVersion: live.metadata.resourceVersion } : {}),
  };
  return { ...desired, metadata };
}

function objectChange(
  desired: KubeObject,
  live: KubeObject | undefined,
  foreign: KubeObject | undefined,
): ObjectChange {
  const instance = instanceNameOf(desired);
  const base = {
    target: 'object' as const,
    ref: refOf(desired),
    ...(instance ? { instance } : {}),
  };
  if (live)
    return sameContent(live, desired)
      ? { ...base, action: 'unchanged', before: live, after: live }
      : { ...base, action: 'update', before: live, after: updated(live, desired) };
  if (foreign)
    return {
      ...base,
      action: 'conflict',
      before: foreign,
      reason: 'an object of that name exists and is not owned by this deployment; it is left untouched',
    };
  return { ...base, action: 'create', after: desired };
}

/**
 * Turns the desired state into an ordered plan against what the cluster holds.
 * `owned`: this deployment's live objects; `foreign`: live objects that hold a desired name but are not ours;
 * `clashing`: objects of blocked instances whose name a foreign object holds, each reported as a conflict.
 */
export interface LiveState {
  readonly foreign: ReadonlyMap<string, KubeObject>;
  /** Our ports' Services as read, the egress gateway Service first, and which Service each block's ports go on. */
  readonly services?: readonly GatewayServiceState[];
  readonly layout: PortLayout;
  readonly clashing?: readonly KubeObject[];
}

/** Live objects kept as they are (the instance is settling, or failed to plan), and those no longer desired. */
function liveChanges(
  state: DesiredState,
  owned: readonly KubeObject[],
  desiredKeys: ReadonlySet<string>,
): ObjectChange[] {
  const errorReasons = new Map(state.errors.map((e) => [e.instance, e.message]));
  return owned.flatMap((live): ObjectChange[] => {
    const instance = instanceNameOf(live) ?? '';
    const base = { target: 'object' as const, ref: refOf(live), instance, before: live };
    const keptReason = state.kept.get(instance) ?? errorReasons.get(instance);
    if (keptReason !== undefined) return [{ ...base, action: 'skipped', after: live, reason: keptReason }];
    return state.reconciled.has(instance) && !desiredKeys.has(refKey(refOf(live)))
      ? [{ ...base, action: 'delete' }]
      : [];
  });
}

export function planChanges(
  state: DesiredState,
  owned: readonly KubeObject[],
  { foreign, services = [], layout, clashing = [] }: LiveState,
): Plan {
  const liveByKey = new Map(owned.map((o) => [refKey(refOf(o)), o]));
  const desiredKeys = new Set(state.desired.map((d) => refKey(refOf(d))));
  const changes: Change[] = [...state.desired, ...clashing].map((d) =>
    objectChange(d, liveByKey.get(refKey(refOf(d))), foreign.get(refKey(refOf(d)))),
  );
  changes.push(...liveChanges(state, owned, desiredKeys));
  // An instance this mode cannot configure, or whose new endpoint finds no gateway port, gets one record saying so on
  // the instance itself (one per instance, whatever it has live: what a metric counts); so does one refused for good
  // (invalid data) that has no live object to carry the reason.
  const withLive = new Set(owned.map((o) => instanceNameOf(o)));
  const invalid = state.errors.filter((e) => !e.retryable && !withLive.has(e.instance));
  const skipped = new Map([
    ...invalid.map((e) => [e.instance, e.message] as const),
    ...state.unsupported,
    ...state.refused,
  ]);
  for (const [instance, reason] of skipped)
    changes.push({ target: 'object', action: 'skipped', ref: instanceObjectRef(instance), instance, reason });
  if (services.length > 0 && state.servicePorts) {
    for (const ports of portPlansByService(services, state.servicePorts, layout))
      changes.push(...servicePortChanges({ ...ports, owned }));
  }
  return { changes: orderChanges(changes), errors: state.errors };
}
