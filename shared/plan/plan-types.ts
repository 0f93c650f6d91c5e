import type { KubeObject, ObjectRef } from '../model/k8s-object.js';
import type { ServicePortsChange } from './port-change.js';

/**
 *   live object            desired object        action
 *   none                   present               create
 *   owned, same content    present               unchanged
 *   owned, other content   present               update (before = live, after = desired)
 *   owned                  none                  delete
 *   foreign (same name)    present               conflict: never touched
 *   owned, instance not READY                    skipped: kept as it is until the instance settles
 */
export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged' | 'conflict' | 'skipped';

/** A change of one of our Istio objects, or a note about an instance (skipped, unsupported). */
export interface ObjectChange {
  readonly target: 'object';
  readonly action: ChangeAction;
  readonly ref: ObjectRef;
  /** Full name of the instance the object belongs to. */
  readonly instance?: string;
  readonly before?: KubeObject;
  readonly after?: KubeObject;
  readonly reason?: string;
}

/**
 * A planned change, tagged by what it changes: one of our objects, or our ports on the egress gateway Service
 * (port-change.ts).
 */
export type Change = ObjectChange | ServicePortsChange;

export const isPortChange = (change: Change): change is ServicePortsChange => change.target === 'service-ports';

export interface InstanceError {
  readonly instance: string;
  readonly message: string;
  /** Retrying later can succeed (for example an instance still being created). */
  readonly retryable: boolean;
  /** The apiserver refused one of its writes for good: it was left as far as it got, the other instances went on. */
  readonly refusedWrite?: true;
}

export interface Plan {
  readonly changes: readonly Change[];
  readonly errors: readonly InstanceError[];
}

/** Changes that write something. */
export function isWrite(change: Change): boolean {
  return change.action === 'create' || change.action === 'update' || change.action === 'delete';
}
