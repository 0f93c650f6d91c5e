import type { ControlPlane } from '../../dev/harness/control-plane/index.js';
import type { TokenIssuer } from '../../dev/harness/id-tokens.js';
import { functionEnvironment, type RigTarget } from '../../dev/rig/function-environment.js';
import { prepareNamespace } from '../../dev/rig/namespace.js';
import type { GkeTarget } from './gke-target.js';
import { OPERATOR, RESYNC_AUDIENCE } from './resync-call.js';

export const PROJECT = 'bench-project';
export const SYNC_USER = `memorystore-egress-sync@${PROJECT}.iam.gserviceaccount.com`;
const NAMESPACE = 'istio-system';
const OWNER_ID = 'bench';

/** The functions' namespace, RBAC and admission policy on a fresh apiserver; `functionEnv` as in prepareNamespace. */
export async function prepareFunctionNamespace(
  controlPlane: ControlPlane,
  functionEnv?: Readonly<Record<string, string>>,
): Promise<void> {
  await prepareNamespace(controlPlane.adminKubeconfigPath, {
    namespace: NAMESPACE,
    user: SYNC_USER,
    ownerId: OWNER_ID,
    ...(functionEnv ? { functionEnv } : {}),
  });
}

/** What a cold-start bench's function is given: the deployed GKE path (no kubeconfig loaded), resync's issuer. */
export interface DeployedWorld {
  readonly memorystoreEndpoint: string;
  readonly controlPlane: ControlPlane;
  readonly cluster: GkeTarget;
  readonly issuer: TokenIssuer;
  readonly audit?: RigTarget['audit'];
}

/** The functions' environment as deployed, pointed at the bench's local stand-ins; `overrides` win. */
export function deployedFunctionEnv(
  world: DeployedWorld,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return functionEnvironment(
    {
      project: PROJECT,
      memorystoreEndpoint: world.memorystoreEndpoint,
      kubeconfig: world.controlPlane.kubeconfigFor(SYNC_USER),
      gke: world.cluster.gke,
      namespace: NAMESPACE,
      ownerId: OWNER_ID,
      resync: { audience: RESYNC_AUDIENCE, principals: [OPERATOR], certsUrl: world.issuer.certsUrl },
      ...(world.audit ? { audit: world.audit } : {}),
    },
    overrides,
  );
}
