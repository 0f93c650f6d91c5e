import { join } from 'node:path';
import { crashAtEveryStep } from '../../dev/end-to-end/crash-at-every-step.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import { SYNC_USER, sharedStack } from './shared-stack.js';

/**
 * A reconcile killed (SIGKILL) right after each of its writes, as the functions' own user under the project's RBAC
 * and admission policy on the real apiserver: creates, updates and deletes of three instances, a process per step.
 * Whatever each process logged before it died is the trail: every object must carry a last-change-id that it holds.
 */
const stack = sharedStack();
const NAMESPACE = 'e2e-crash-steps';
const OWNER = 'e2e';

beforeAll(async () => {
  await prepareNamespace(stack.adminKubeconfig, { namespace: NAMESPACE, user: SYNC_USER, ownerId: OWNER });
}, 60_000);

test('a crash after any write leaves that write with a record in the trail', async () => {
  const figures = await crashAtEveryStep(
    {
      kubeconfig: stack.syncUserKubeconfig,
      namespace: NAMESPACE,
      ownerId: OWNER,
      project: 'test-project',
      instances: ['crash-a', 'crash-b', 'crash-c'],
    },
    { removed: 1, compiledChild: join(process.cwd(), 'build/dev/end-to-end/crash-child.js') },
  );
  // Three instances of four objects each were written, re-addressed, and one removed: a kill after every write.
  expect(figures.objects).toBe(8);
  // At least one kill per object left (its last write), besides the deletes' and the ports' own.
  expect(figures.kills).toBeGreaterThan(figures.objects);
  expect(figures.withoutRecord).toEqual([]);
}, 240_000);
