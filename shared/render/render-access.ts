import { accessNamespaces, ANNOTATION_ACCESS, encodeAccess, type InstanceAccess } from '../model/access.js';
import type { GatewayPolicySpec } from '../model/istio-specs.js';
import type { InstanceName } from '../products/instance-name.js';
import { AUTHORIZATION_POLICY, isKind, SECURITY_API_VERSION, type KubeObject } from '../model/k8s-object.js';
import { metadata } from './istio-object.js';
import { objectName } from './names.js';
import type { RenderSettings } from './render-settings.js';

/**
 * ACCESS_MODE=declared: what the mesh enforces for one instance (docs/least-access-mesh.md). Absent access means open
 * mode, rendered exactly as before.
 */

/**
 * The namespaces an instance's routes are exported to: those with a declaration naming it, and the egress gateway's,
 * which must keep its leg even while nobody has declared the instance (sorted, each once). `exportTo` takes namespace
 * names: https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-export_to
 */
export function accessExportTo(access: InstanceAccess, settings: RenderSettings): string[] {
  return [...new Set([...accessNamespaces(access), settings.egressGateway.namespace])].sort();
}

/** The access an instance's ServiceEntries were rendered with, for records and `explain` (model/access.ts). */
export function accessAnnotations(meta: KubeObject['metadata'], access: InstanceAccess): KubeObject['metadata'] {
  return { ...meta, annotations: { ...meta.annotations, [ANNOTATION_ACCESS]: encodeAccess(access) } };
}

/** A ServiceEntry rendered for open mode, exported and annotated for declared mode instead. */
export function narrowedEntry(entry: KubeObject, access: InstanceAccess, settings: RenderSettings): KubeObject {
  if (!isKind(entry, 'ServiceEntry')) return entry;
  return {
    ...entry,
    metadata: accessAnnotations(entry.metadata, access),
    spec: { ...entry.spec, exportTo: accessExportTo(access, settings) },
  };
}

/**
 * One DENY policy on the egress gateway workload for the instance's gateway ports: it refuses every caller that is
 * neither a declared principal nor in a declared namespace. Never an ALLOW: once any ALLOW policy selects a workload,
 * Istio denies every request that no ALLOW matches, which on a shared egress gateway would cut off every other team's
 * egress through it. DENY policies only ever refuse what they match, so other traffic keeps its policies.
 * Istio's semantics: fields of one `source` are ANDed, and an empty list means the field is unset (matches anything),
 * so an empty grant is omitted, not written as `[]`; with no grant at all `from` goes and the rule denies everyone on
 * these ports. For TCP only L4 fields apply (principals, namespaces, ports), and principals need Istio mutual TLS on
 * the sidecar → gateway leg, which the Gateway server and DestinationRule subset of the instance set up.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * The policy sits with the instance's other objects, in the egress gateway's namespace, where a selector picks the
 * gateway's pods (ACCESS_MODE=declared requires ISTIO_NAMESPACE to be that namespace).
 */
export function renderAuthorizationPolicy(
  instance: InstanceName,
  gatewayPorts: readonly number[],
  access: InstanceAccess,
  settings: RenderSettings,
): KubeObject {
  const principals = [...new Set(access.principals)].sort();
  const namespaces = [...new Set(access.namespaces)].sort();
  const source = {
    ...(principals.length ? { notPrincipals: principals } : {}),
    ...(namespaces.length ? { notNamespaces: namespaces } : {}),
  };
  const granted = principals.length + namespaces.length > 0;
  const ports = [...new Set(gatewayPorts)].sort((a, b) => a - b).map(String);
  const spec: GatewayPolicySpec = {
    selector: { matchLabels: { ...settings.egressGateway.selector } },
    action: 'DENY',
    rules: [{ ...(granted ? { from: [{ source }] } : {}), to: [{ operation: { ports } }] }],
  };
  return {
    apiVersion: SECURITY_API_VERSION,
    kind: AUTHORIZATION_POLICY,
    metadata: metadata(instance, objectName(instance), settings),
    spec,
  };
}
