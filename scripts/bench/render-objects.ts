import { writeFileSync } from 'node:fs';
import type { protos } from '@google-cloud/redis';
import { stringify } from 'yaml';
import { toRedisInstance } from '../../shared/products/redis/mapper.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import { desiredState } from '../../shared/plan/desired-state.js';
import type { PlanSettings } from '../../shared/plan/plan-settings.js';
import { serviceApplyBody, type GatewayServiceState } from '../../shared/plan/service-ports.js';
import type { FakeInstance } from '../../dev/harness/memorystore/index.js';

// Make before break, as the project applies them: a route never points at something that does not exist yet.
const ORDER = ['ServiceEntry', 'Service', 'Gateway', 'DestinationRule', 'VirtualService'];

/**
 * What the project would write for these instances into an empty cluster, rendered by the project's own core (the
 * instances converted by its Memorystore adapter, ports allocated by its planner): the ServiceEntry, Gateway,
 * DestinationRule and VirtualService of each instance, and the egress gateway Service with the ports it adds (as a
 * server-side apply body, which leaves the installer's ports alone). The input of the kubectl baseline.
 */
export function renderConverged(settings: PlanSettings, instances: readonly FakeInstance[]): KubeObject[] {
  const scope = instances.map((fake) => {
    const instance = toRedisInstance(fake as unknown as protos.google.cloud.redis.v1.IInstance);
    return { name: parseInstanceName(instance.name)!, instance };
  });
  // The Service as the installer leaves it (its ports belong to another manager), as the fixtures create it.
  const service: GatewayServiceState = {
    namespace: settings.egressGateway.namespace,
    name: settings.egressGateway.service,
    ports: [{ port: 80 }, { port: 443 }],
    ownedPorts: [],
  };
  const state = desiredState({ scope, owned: [], gatewayService: service, settings });
  if (state.errors.length > 0) throw new Error(`rendering failed: ${state.errors[0]!.message}`);
  const ports = state.servicePorts?.after ?? [];
  const objects = [...state.desired, ...(ports.length > 0 ? [serviceApplyBody(service, ports)] : [])];
  return objects.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}

/** The objects as one multi-document YAML file, for `kubectl apply -f`. */
export function writeManifest(path: string, objects: readonly KubeObject[]): string {
  writeFileSync(path, objects.map((o) => stringify(o)).join('---\n'));
  return path;
}
