import { parseAuditEvent } from '../../../shared/events/parse-audit-event.js';
import { declarationEntry } from '../../../dev/fixtures/k8s-audit-entry.js';
import { pubsubEvent } from '../../../dev/fixtures/audit-entries.js';

const base = { namespace: 'shop', name: 'cache', verb: 'create' } as const;

describe('a GKE entry of a MemorystoreAccess write', () => {
  test.each(['create', 'update', 'patch', 'delete'] as const)('%s: reconcile the namespace in its cluster', (verb) => {
    const decision = parseAuditEvent(pubsubEvent(declarationEntry({ ...base, verb, principal: 'alice@example.com' })));
    expect(decision).toEqual({
      action: 'reconcile-access',
      declaration: {
        cluster: { project: 'test-project', location: 'us-central1', cluster: 'primary' },
        namespace: 'shop',
        name: 'cache',
      },
      trigger: {
        kind: 'event',
        eventId: 'event-1',
        methodName: `io.memorystore-egress-sync.v1alpha1.memorystoreaccesses.${verb}`,
        insertId: `k8s-shop-cache-${verb}`,
        principal: 'alice@example.com',
      },
    });
  });

  const ignored = (entry: Record<string, unknown>): string => {
    const decision = parseAuditEvent(pubsubEvent(entry));
    return decision.action === 'ignore' ? decision.reason : `not ignored: ${decision.action}`;
  };

  test('another kind, a read, a failed or a dry-run request, or no cluster: acknowledged with the reason', () => {
    const pod = declarationEntry(base);
    (pod['protoPayload'] as Record<string, unknown>)['resourceName'] = 'core/v1/namespaces/shop/pods/p';
    expect(ignored(pod)).toMatch(/is not about a MemorystoreAccess/);
    const get = declarationEntry(base);
    (get['protoPayload'] as Record<string, unknown>)['methodName'] =
      'io.memorystore-egress-sync.v1alpha1.memorystoreaccesses.get';
    expect(ignored(get)).toMatch(/does not change a MemorystoreAccess/);
    expect(ignored(declarationEntry({ ...base, statusCode: 7 }))).toMatch(/status code 7/);
    expect(ignored(declarationEntry({ ...base, verb: 'delete', request: { dryRun: ['All'] } }))).toMatch(/dry-run/);
    const nowhere = declarationEntry(base);
    nowhere['resource'] = { type: 'k8s_cluster', labels: { project_id: 'test-project' } };
    expect(ignored(nowhere)).toMatch(/does not name its GKE cluster/);
  });
});
