import type { MeshSettings, ProcessSettings } from '../config/settings.js';

/** The settings that shape rendered objects: the cluster's mesh layout, and whose objects they are. */
export type RenderSettings = Pick<
  MeshSettings,
  'mode' | 'shardedNodePorts' | 'istioNamespace' | 'hostSuffix' | 'exportTo' | 'egressGateway'
> &
  Pick<ProcessSettings, 'ownerId'>;

export function egressGatewayHost(settings: Pick<RenderSettings, 'egressGateway'>): string {
  return `${settings.egressGateway.service}.${settings.egressGateway.namespace}.svc.cluster.local`;
}
