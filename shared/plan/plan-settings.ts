import type { MeshSettings, ProcessSettings } from '../config/settings.js';
import type { SyncInput } from './desired-state.js';

/** What planning reads of a sync's settings: the cluster's mesh layout, and the deployment's owner and selector. */
export type PlanSettings = SyncInput['settings'];

export function planSettingsOf(settings: {
  readonly process: Pick<ProcessSettings, 'ownerId' | 'instanceSelector'>;
  readonly cluster: MeshSettings;
}): PlanSettings {
  const { process, cluster } = settings;
  return {
    mode: cluster.mode,
    shardedNodePorts: cluster.shardedNodePorts,
    ambientWaypoint: cluster.ambientWaypoint,
    ...(cluster.gatewayBridge ? { gatewayBridge: cluster.gatewayBridge } : {}),
    istioNamespace: cluster.istioNamespace,
    hostSuffix: cluster.hostSuffix,
    exportTo: cluster.exportTo,
    egressGateway: cluster.egressGateway,
    gatewayPortRange: cluster.gatewayPortRange,
    ownerId: process.ownerId,
    instanceSelector: process.instanceSelector,
    ...(cluster.networks ? { networks: cluster.networks } : {}),
  };
}
