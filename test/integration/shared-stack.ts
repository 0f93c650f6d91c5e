/**
 * What the global set-up started, as test files see it: passed through environment variables, since Jest runs test
 * files in worker processes that inherit the environment of the set-up.
 */
export const SYNC_USER = 'memorystore-egress-sync@test-project.iam.gserviceaccount.com';
export const INTRUDER = 'intruder@example.com';

export interface SharedStack {
  readonly kubeServer: string;
  readonly adminKubeconfig: string;
  /** Kubeconfig of the functions' identity, which holds only the project's RBAC once a test binds it. */
  readonly syncUserKubeconfig: string;
  readonly intruderKubeconfig: string;
  readonly pubsubHost: string;
}

const KEY = 'MESYNC_E2E_STACK';

export function publishStack(stack: SharedStack): void {
  process.env[KEY] = JSON.stringify(stack);
}

export function sharedStack(): SharedStack {
  const value = process.env[KEY];
  if (!value) throw new Error('the integration global set-up did not run (run through `npm test`)');
  return JSON.parse(value) as SharedStack;
}
