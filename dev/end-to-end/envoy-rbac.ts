/**
 * Envoy's network RBAC filter, evaluated for one TCP connection, on the configuration Istio generated from the live
 * AuthorizationPolicies (dev/components/istio-sim reports it as protobuf JSON). Istio's simulator does not run RBAC
 * filters, so the decision is made here, by Envoy's documented semantics: a policy matches when one of its
 * permissions and one of its principals match; a DENY filter denies when any policy matches, an ALLOW filter allows
 * only then; filters run in order and the first denial ends the connection.
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/rbac/v3/rbac.proto
 * Any matcher this file does not know fails the evaluation: a decision is never guessed.
 */
export interface Connection {
  /** The caller's identity from its Istio certificate (`spiffe://<trust domain>/ns/<ns>/sa/<sa>`); none: plaintext. */
  readonly principal?: string;
  /** The port the connection arrived on at the proxy (the listener's port). */
  readonly port: number;
}

type Json = Record<string, unknown>;

function stringMatches(matcher: Json, value: string | undefined): boolean {
  if (value === undefined) return false;
  if ('exact' in matcher) return value === matcher['exact'];
  if ('prefix' in matcher) return value.startsWith(String(matcher['prefix']));
  if ('suffix' in matcher) return value.endsWith(String(matcher['suffix']));
  if ('contains' in matcher) return value.includes(String(matcher['contains']));
  // RE2 over the whole value; Istio's regexes here (`.*/ns/<ns>/.*`) mean the same in JavaScript.
  if ('safeRegex' in matcher) return new RegExp(`^(?:${String((matcher['safeRegex'] as Json)['regex'])})$`).test(value);
  throw new Error(`unknown string matcher ${JSON.stringify(matcher)}`);
}

function permissionMatches(permission: Json, connection: Connection): boolean {
  if (permission['any'] === true) return true;
  if ('destinationPort' in permission) return permission['destinationPort'] === connection.port;
  if ('andRules' in permission)
    return ((permission['andRules'] as Json)['rules'] as Json[]).every((p) => permissionMatches(p, connection));
  if ('orRules' in permission)
    return ((permission['orRules'] as Json)['rules'] as Json[]).some((p) => permissionMatches(p, connection));
  if ('notRule' in permission) return !permissionMatches(permission['notRule'] as Json, connection);
  throw new Error(`unknown RBAC permission ${JSON.stringify(permission)}`);
}

function principalMatches(principal: Json, connection: Connection): boolean {
  if (principal['any'] === true) return true;
  if ('authenticated' in principal) {
    const name = (principal['authenticated'] as Json)['principalName'] as Json | undefined;
    // Without a name matcher: any authenticated (mutual TLS) peer.
    return name ? stringMatches(name, connection.principal) : connection.principal !== undefined;
  }
  if ('filterState' in principal) {
    // A waypoint learns the caller from the HBONE connection: connect_terminate copies the peer certificate's URI SAN
    // into this filter state and the RBAC filter matches it (Istio: pilot/pkg/xds/filters/filters.go,
    // pilot/pkg/security/authz/model/principal.go). Any other key is not modelled.
    const { key, stringMatch } = principal['filterState'] as Json;
    if (key !== 'io.istio.peer_principal') throw new Error(`unknown RBAC principal: filter state ${String(key)}`);
    return stringMatches(stringMatch as Json, connection.principal);
  }
  if ('andIds' in principal)
    return ((principal['andIds'] as Json)['ids'] as Json[]).every((p) => principalMatches(p, connection));
  if ('orIds' in principal)
    return ((principal['orIds'] as Json)['ids'] as Json[]).some((p) => principalMatches(p, connection));
  if ('notId' in principal) return !principalMatches(principal['notId'] as Json, connection);
  throw new Error(`unknown RBAC principal ${JSON.stringify(principal)}`);
}

/** `allow` or `deny`, by every RBAC network filter of one filter chain, in order. */
export function rbacDecision(filters: readonly unknown[], connection: Connection): 'allow' | 'deny' {
  for (const filter of filters as Json[]) {
    const rules = filter['rules'] as Json | undefined;
    if (!rules) continue; // shadow rules only: logged, never enforced
    const action = (rules['action'] as string | undefined) ?? 'ALLOW';
    if (action !== 'ALLOW' && action !== 'DENY') throw new Error(`unknown RBAC action ${action}`);
    const policies = Object.values((rules['policies'] ?? {}) as Record<string, Json>);
    const matched = policies.some(
      (p) =>
        ((p['permissions'] ?? []) as Json[]).some((x) => permissionMatches(x, connection)) &&
        ((p['principals'] ?? []) as Json[]).some((x) => principalMatches(x, connection)),
    );
    if (action === 'DENY' ? matched : !matched) return 'deny';
  }
  return 'allow';
}
