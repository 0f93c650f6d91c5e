import { portPlansByService } from '../../shared/plan/port-services.js';
import { writeFileSync } from 'node:fs';
import type { protos } from '@google-cloud/redis';
import type { protos as memcacheProtos } from '@google-cloud/memcache';
import type { protos as valkeyProtos } from '@google-cloud/memorystore';
import type { protos as clusterProtos } from '@google-cloud/redis-cluster';
import { stringify } from 'yaml';
import type { MemorystoreInstance } from '../../shared/model/instance.js';
import { toMemcachedInstance } from '../../shared/products/memcached/mapper.js';
import { toRedisClusterInstance } from '../../shared/products/redis-cluster/mapper.js';
import { toRedisInstance } from '../../shared/products/redis/mapper.js';
import { toValkeyInstance } from '../../shared/products/valkey/mapper.js';
import { parseInstanceName } from '../../shared/products/instance-name.js';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import { desiredState } from '../../shared/plan/desired-state.js';
import type { PlanSettings } from '../../shared/plan/plan-settings.js';
import { serviceApplyBody, type GatewayServiceState } from '../../shared/plan/service-ports.js';
import type { FakeMemorystore } from '../../dev/harness/memorystore/index.js';

// Make before break, as the project applies them: a route never points at something that does not exist yet.
const ORDER = ['ServiceEntry', 'Service', 'Gateway', 'DestinationRule', 'VirtualService'];

/**
 * Every instance of the four products in the local Memorystore API, as the project's own adapters convert what the
 * API answers (the stand-in keeps each instance in its API's shape).
 */
export function modelInstances(memorystore: FakeMemorystore): MemorystoreInstance[] {
  return [
    ...memorystore.instances().map((i) => toRedisInstance(i as unknown as protos.google.cloud.redis.v1.IInstance)),
    ...memorystore
      .valkeyInstances()
      .map((i) => toValkeyInstance(i as unknown as valkeyProtos.google.cloud.memorystore.v1.IInstance)),
    ...memorystore
      .memcachedInstances()
      .map((i) => toMemcachedInstance(i as unknown as memcacheProtos.google.cloud.memcache.v1.IInstance)),
    ...memorystore
      .redisClusters()
      .map((i) => toRedisClusterInstance(i as unknown as clusterProtos.google.cloud.redis.cluster.v1.ICluster)),
  ];
}

/**
 * What the project would write for these instances into an empty cluster, rendered by the project's own core (the
 * instances converted by its Memorystore adapter, ports allocated by its planner): the ServiceEntry, Gateway,
 * DestinationRule and VirtualService of each instance, and the egress gateway Service with the ports it adds (as a
 * server-side apply body, which leaves the installer's ports alone) and the Services of ours holding later blocks.
 * The input of the kubectl baseline.
 */
export function renderConverged(settings: PlanSettings, instances: readonly MemorystoreInstance[]): KubeObject[] {
  const scope = instances.map((instance) => ({ name: parseInstanceName(instance.name)!, instance }));
  // The Service as the installer leaves it (its ports belong to another manager), as the fixtures create it.
  const service: GatewayServiceState = {
    namespace: settings.egressGateway.namespace,
    name: settings.egressGateway.service,
    ports: [{ port: 80 }, { port: 443 }],
    ownedPorts: [],
  };
  const state = desiredState({ scope, owned: [], gatewayService: service, settings });
  if (state.errors.length > 0) throw new Error(`rendering failed: ${state.errors[0]!.message}`);
  // Each block of ports on its Service, as the project spreads them (shared/config/gateway-services.ts).
  const services = state.servicePorts ? portPlansByService([service], state.servicePorts, settings) : [];
  const bodies = services
    .filter((plan) => plan.after.length > 0)
    .map((plan) => serviceApplyBody(plan.service, plan.after, plan.own));
  const objects = [...state.desired, ...bodies];
  return objects.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}

/** The objects as one multi-document YAML file, for `kubectl apply -f`. */
export function writeManifest(path: string, objects: readonly KubeObject[]): string {
  writeFileSync(path, objects.map((o) => stringify(o)).join('---\n'));
  return path;
}
