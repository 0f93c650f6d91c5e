import { bindRbac, createEgressGatewayFixtures } from '../harness/control-plane/index.js';
import { GATEWAY_SERVICE } from './function-environment.js';

export interface DeploymentNamespace {
  readonly namespace: string;
  /** The functions' user, bound to no more than the project's RBAC and admission policy. */
  readonly user: string;
  readonly ownerId: string;
  /** The functions' environment: the admission policy holds its content settings (port range, host suffix, ...). */
  readonly functionEnv?: Readonly<Record<string, string | undefined>>;
}

/**
 * A namespace as a deployment finds and leaves it: the egress gateway Service as Istio's installer made it, then the
 * RBAC and the admission policy Terraform installs for the functions' user.
 */
export async function prepareNamespace(adminKubeconfig: string, target: DeploymentNamespace): Promise<void> {
  await createEgressGatewayFixtures(adminKubeconfig, { namespace: target.namespace, service: GATEWAY_SERVICE });
  await bindRbac(adminKubeconfig, {
    user: target.user,
    ownerId: target.ownerId,
    istioNamespace: target.namespace,
    egressGatewayNamespace: target.namespace,
    egressGatewayService: GATEWAY_SERVICE,
    ...(target.functionEnv ? { functionEnv: target.functionEnv } : {}),
  });
}
