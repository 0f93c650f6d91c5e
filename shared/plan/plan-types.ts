import type { KubeObject, ObjectRef } from '../model/k8s-object.js';

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

export interface Change {
  readonly action: ChangeAction;
  readonly ref: ObjectRef;
  /** Full name of the instance the object belongs to; absent for the shared egress gateway Service. */
  readonly instance?: string;
  readonly before?: KubeObject;
  readonly after?: KubeObject;
  readonly reason?: string;
}

export interface InstanceError {
  readonly instance: string;
  readonly message: string;
  /** Retrying later can succeed (for example an instance still being created). */
  readonly retryable: boolean;
}

export interface Plan {
  readonly changes: readonly Change[];
  readonly errors: readonly InstanceError[];
}

/** Changes that write something. */
export function isWrite(change: Change): boolean {
  return change.action === 'create' || change.action === 'update' || change.action === 'delete';
}
