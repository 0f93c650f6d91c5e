import type { MeshSettings, ProcessSettings } from '../config/settings.js';

/** The settings that shape rendered objects: the cluster's mesh layout, and whose objects they are. */
export type RenderSettings = Pick<
  MeshSettings,
  | 'mode'
  | 'shardedNodePorts'
  | 'ambientWaypoint'
  | 'gatewayBridge'
  | 'istioNamespace'
  | 'hostSuffix'
  | 'exportTo'
  | 'egressGateway'
  | 'gatewayPortRange'
> &
  Pick<ProcessSettings, 'ownerId'>;
