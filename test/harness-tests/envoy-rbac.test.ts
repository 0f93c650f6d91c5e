import { rbacDecision } from '../../dev/end-to-end/envoy-rbac.js';

/**
 * The RBAC evaluator the least-access proof decides Istio's generated filters with (dev/end-to-end/envoy-rbac.ts),
 * on filters shaped as Istio 1.30 generates them for a DENY with notPrincipals and notNamespaces on one port.
 */
const exact = (principal: string) => ({ authenticated: { principalName: { exact: principal } } });
const namespace = (ns: string) => ({ authenticated: { principalName: { safeRegex: { regex: `.*/ns/${ns}/.*` } } } });
const filter = (action: string) => ({
  rules: {
    action,
    policies: {
      'ns[istio-system]-policy[x]-rule[0]': {
        permissions: [{ andRules: { rules: [{ orRules: { rules: [{ destinationPort: 16000 }] } }] } }],
        principals: [
          {
            andIds: {
              ids: [
                { notId: { orIds: { ids: [exact('spiffe://cluster.local/ns/orders/sa/checkout')] } } },
                { notId: { orIds: { ids: [namespace('payments')] } } },
              ],
            },
          },
        ],
      },
    },
  },
});

test.each<[string | undefined, number, 'allow' | 'deny']>([
  ['spiffe://cluster.local/ns/orders/sa/checkout', 16000, 'allow'],
  ['spiffe://cluster.local/ns/payments/sa/any', 16000, 'allow'],
  ['spiffe://cluster.local/ns/orders/sa/other', 16000, 'deny'],
  ['spiffe://cluster.local/ns/payments-2/sa/any', 16000, 'deny'],
  [undefined, 16000, 'deny'],
  ['spiffe://cluster.local/ns/orders/sa/other', 8443, 'allow'],
  [undefined, 8443, 'allow'],
])('DENY: %s on %s ⇒ %s', (principal, port, decision) => {
  expect(rbacDecision([filter('DENY')], { port, ...(principal ? { principal } : {}) })).toBe(decision);
});

test('ALLOW denies whatever it does not match, other ports too', () => {
  expect(rbacDecision([filter('ALLOW')], { port: 8443 })).toBe('deny');
  expect(rbacDecision([filter('ALLOW')], { port: 16000 })).toBe('allow');
});

test('shadow rules only are never enforced; an unknown matcher fails instead of guessing', () => {
  expect(rbacDecision([{ shadowRules: filter('DENY').rules }], { port: 16000 })).toBe('allow');
  const unknown = {
    rules: { action: 'DENY', policies: { p: { permissions: [{ any: true }], principals: [{ sourceIp: {} }] } } },
  };
  expect(() => rbacDecision([unknown], { port: 1 })).toThrow(/unknown RBAC principal/);
});

test("a waypoint's principal is the caller's certificate SAN Istio copies to filter state; other keys fail", () => {
  // As Istio generates it for a waypoint (pilot/pkg/security/authz/model/principal.go principalAuthenticated).
  const peer = (principal: string) => ({
    filterState: { key: 'io.istio.peer_principal', stringMatch: { exact: principal } },
  });
  const waypoint = {
    rules: {
      policies: {
        'ns[egress]-policy[redis]-rule[0]': {
          permissions: [{ andRules: { rules: [{ orRules: { rules: [{ destinationPort: 6379 }] } }] } }],
          principals: [{ andIds: { ids: [{ orIds: { ids: [peer('spiffe://cluster.local/ns/team-a/sa/app')] } }] } }],
        },
      },
    },
  };
  expect(rbacDecision([waypoint], { port: 6379, principal: 'spiffe://cluster.local/ns/team-a/sa/app' })).toBe('allow');
  expect(rbacDecision([waypoint], { port: 6379, principal: 'spiffe://cluster.local/ns/team-b/sa/app' })).toBe('deny');
  expect(rbacDecision([waypoint], { port: 6379 })).toBe('deny');
  const other = { filterState: { key: 'io.istio.other', stringMatch: { exact: 'x' } } };
  const unknown = { rules: { policies: { p: { permissions: [{ any: true }], principals: [other] } } } };
  expect(() => rbacDecision([unknown], { port: 1 })).toThrow(/filter state io.istio.other/);
});
