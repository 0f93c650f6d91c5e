import { crashAtEveryStep } from '../../dev/end-to-end/crash-at-every-step.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { SYNC_USER, type SharedParts } from './chaos-stack.js';
import type { PhaseRow } from './figures.js';

const OWNER_ID = 'chaos';

/**
 * `width` instances created, re-addressed, then a third of them removed, by reconciles each killed (SIGKILL) right
 * after its one write, as the sync user under the project's RBAC: a change whose object carries a last-change-id that
 * no audit line of any process holds is a lost record.
 */
export async function crashPhase(parts: SharedParts, name: string, width: number): Promise<PhaseRow> {
  const started = Date.now();
  await prepareNamespace(parts.controlPlane.adminKubeconfigPath, {
    namespace: name,
    user: SYNC_USER,
    ownerId: OWNER_ID,
  });
  const figures = await crashAtEveryStep(
    {
      kubeconfig: parts.controlPlane.kubeconfigFor(SYNC_USER),
      namespace: name,
      ownerId: OWNER_ID,
      project: 'chaos-project',
      instances: Array.from({ length: width }, (_, i) => `crash-${i}`),
    },
    { removed: Math.floor(width / 3), maxRuns: 40 * width },
  );
  return {
    phase: name,
    seconds: Math.round((Date.now() - started) / 1000),
    killed: figures.kills,
    lostRecords: figures.withoutRecord.length,
  };
}
