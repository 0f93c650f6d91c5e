import { CONFIG_VARIABLES } from '../../shared/config/config-variables.js';

/** The egress gateway Service every local deployment makes in its namespace (the installer's name). */
export const GATEWAY_SERVICE = 'istio-egressgateway';

/** Where a local deployment's functions find their world: the stand-ins it started and who it is. */
export interface RigTarget {
  readonly project: string;
  /** `host:port` of the local Memorystore API (every product). */
  readonly memorystoreEndpoint: string;
  /** The functions' identity on the apiserver: the sync user's kubeconfig (or a proxy's in front of it). */
  readonly kubeconfig: string;
  /**
   * The cluster as a GKE cluster instead (server and CA, the token from a local metadata server), so the functions
   * take the deployed path, without @kubernetes/client-node: what the memory and first-event benches measure.
   */
  readonly gke?: { readonly server: string; readonly caCertBase64: string; readonly metadataHost: string };
  /** Namespace of the Istio objects and of the egress gateway Service. */
  readonly namespace: string;
  readonly ownerId: string;
  readonly resync: {
    readonly audience: string;
    readonly principals: readonly string[];
    readonly scheduler?: string;
    /** The local token issuer's certificates, for RESYNC_AUTH=verify; unset: Google's. */
    readonly certsUrl?: string;
  };
  /** The audit topic and the Pub/Sub server it lives on; unset: audit records are logged only. */
  readonly audit?: { readonly topic: string; readonly pubsubHost: string; readonly required: boolean };
}

// RESYNC_AUTH is set on resync only (terraform/locals.tf, resync_only_environment): where a local run puts the Cloud
// Run front before resync, it sets it too.
const RESYNC_ONLY = new Set(['RESYNC_AUTH']);

/** What a deployment that leaves a setting alone runs with: the functions' own default of each deployed variable. */
function deployedDefaults(): Record<string, string> {
  return Object.fromEntries(
    CONFIG_VARIABLES.filter((v) => v.deployed && v.default !== undefined && !RESYNC_ONLY.has(v.name)).map((v) => [
      v.name,
      v.default!,
    ]),
  );
}

/**
 * The functions' environment as Terraform deploys it (the variables shared/config/config-variables.ts marks
 * `deployed`, terraform/locals.tf function_environment), pointed at a local stack: the one place tests, the bench, the
 * chaos run and the demo get it from. A deployed variable with a default is here at that default; `overrides` (a
 * test's own settings) win over everything.
 */
export function functionEnvironment(
  target: RigTarget,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const { resync, audit } = target;
  return {
    ...deployedDefaults(),
    MEMORYSTORE_PROJECT: target.project,
    ISTIO_NAMESPACE: target.namespace,
    EGRESS_GATEWAY_NAMESPACE: target.namespace,
    EGRESS_GATEWAY_SERVICE: GATEWAY_SERVICE,
    OWNER_ID: target.ownerId,
    RESYNC_AUDIENCE: resync.audience,
    RESYNC_ALLOWED_PRINCIPALS: resync.principals.join(','),
    ...(resync.scheduler ? { RESYNC_SCHEDULER_PRINCIPAL: resync.scheduler } : {}),
    ...(audit
      ? {
          AUDIT_TOPIC: audit.topic,
          AUDIT_REQUIRED: String(audit.required),
          PUBSUB_EMULATOR_HOST: audit.pubsubHost,
          PUBSUB_PROJECT_ID: target.project,
        }
      : {}),
    // Local only: where the stand-ins listen, in place of Google's endpoints, credentials and metadata server.
    MEMORYSTORE_API_ENDPOINT: target.memorystoreEndpoint,
    MEMORYSTORE_API_PLAINTEXT: 'true',
    ...(target.gke
      ? {
          GKE_CLUSTER_ENDPOINT: target.gke.server,
          GKE_CLUSTER_CA_CERT: target.gke.caCertBase64,
          GCE_METADATA_HOST: target.gke.metadataHost,
          METADATA_SERVER_DETECTION: 'assume-present',
        }
      : { KUBECONFIG: target.kubeconfig, METADATA_SERVER_DETECTION: 'none' }),
    ...(resync.certsUrl ? { ID_TOKEN_CERTS_URL: resync.certsUrl } : {}),
    ...overrides,
  };
}
