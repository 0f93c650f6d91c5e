import { instanceNameOf, refKey, refOf, type KubeObject } from '../model/k8s-object.js';
import { desiredState, type DesiredState, type SyncInput } from './desired-state.js';
import { planChanges } from './plan-changes.js';
import type { Plan } from './plan-types.js';

/**
 * The scope as it would be rendered before any clash is known. Its objects name what a reconcile reads before it
 * plans (the foreign holders of those names, read-cluster.ts); planning then goes on from it, so the desired state, by
 * far the larger part of planning, is computed once.
 */
export interface WantedState {
  readonly input: SyncInput;
  readonly state: DesiredState;
}

export const wantedState = (input: SyncInput): WantedState => ({ input, state: desiredState(input) });

/**
 * Plans the scope against the cluster as read: `foreign` holds the objects that are not ours and hold a wanted name,
 * by refKey. An instance with any clashing name is planned again as blocked: all of its objects are written or none
 * are. Pure: the same input gives the same plan.
 */
export function planWithClashes({ input, state: first }: WantedState, foreign: ReadonlyMap<string, KubeObject>): Plan {
  const clashing = first.desired.filter((d) => foreign.has(refKey(refOf(d))));
  const blocked = new Set(clashing.map((d) => instanceNameOf(d) ?? ''));
  const state = blocked.size > 0 ? desiredState({ ...input, blocked }) : first;
  return planChanges(state, input.owned, {
    foreign,
    ...(input.portServices
      ? { services: input.portServices }
      : input.gatewayService
        ? { services: [input.gatewayService] }
        : {}),
    layout: input.settings,
    clashing,
  });
}
