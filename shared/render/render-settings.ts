import type { Config } from '../config/parse-config.js';

/** The part of the configuration that shapes rendered objects. */
export type RenderSettings = Pick<
  Config,
  'mode' | 'shardedNodePorts' | 'istioNamespace' | 'hostSuffix' | 'exportTo' | 'egressGateway' | 'ownerId'
>;

export function egressGatewayHost(settings: RenderSettings): string {
  return `${settings.egressGateway.service}.${settings.egressGateway.namespace}.svc.cluster.local`;
}
