import type { InstanceSource } from '../products/instance-source.js';
import type { ProcessSettings, RenderCommandSettings } from '../config/settings.js';
import { parseInstanceName, type InstanceName } from '../products/instance-name.js';
import type { KubeObject } from '../model/k8s-object.js';
import { desiredState } from '../plan/desired-state.js';
import { planSettingsOf } from '../plan/plan-settings.js';
import type { ServicePort } from '../plan/service-ports.js';

export interface Rendered {
  readonly instance: string;
  readonly objects: readonly KubeObject[];
  /** Ports added to the egress gateway Service (egress-gateway mode). */
  readonly servicePorts: readonly ServicePort[];
  readonly errors: readonly string[];
}

/**
 * `id` (a Redis instance) or a full name (`projects/...` for Redis, `//memorystore.googleapis.com/projects/...` for
 * Valkey, `//memcache.googleapis.com/projects/...` for Memcached); an id needs one location to live in: --location,
 * or the only configured one.
 */
export function resolveInstance(given: string, scope: Pick<ProcessSettings, 'project' | 'locations'>): InstanceName {
  const full =
    given.startsWith('projects/') || given.startsWith('//')
      ? given
      : scope.locations.length === 1 && scope.locations[0] !== '-'
        ? `projects/${scope.project}/locations/${scope.locations[0]}/instances/${given}`
        : undefined;
  if (!full)
    throw new Error(
      `render needs the instance's region: give --location REGION, or the full name projects/P/locations/R/instances/${given}`,
    );
  const name = parseInstanceName(full);
  if (!name)
    throw new Error(`${JSON.stringify(given)} is not an instance id or a name projects/P/locations/R/instances/ID`);
  return name;
}

/**
 * What an instance gets, from its state in the Memorystore API and the configuration alone, without a cluster. The
 * gateway ports are the first of GATEWAY_PORT_RANGE, as if none were taken: a live reconcile picks free ones.
 */
export async function renderCommand(
  settings: RenderCommandSettings,
  instances: InstanceSource,
  given: string,
): Promise<Rendered> {
  const { egressGateway, mode } = settings.cluster;
  const name = resolveInstance(given, settings.process);
  const instance = await instances.get(name.full);
  if (!instance) throw new Error(`the Memorystore API has no instance ${name.full}`);
  const gatewayService = {
    namespace: egressGateway.namespace,
    name: egressGateway.service,
    ports: [],
    ownedPorts: [],
  };
  const state = desiredState({
    scope: [{ name, instance }],
    owned: [],
    gatewayService,
    view: 'scope',
    settings: planSettingsOf(settings),
  });
  // Ambient mode's gateway bridge keeps egress-gateway mode's ports.
  const routed = mode === 'egress-gateway' || settings.cluster.gatewayBridge !== undefined;
  const servicePorts = routed ? (state.servicePorts?.after ?? []) : [];
  const kept = [...state.kept.values()];
  return {
    instance: name.full,
    objects: state.desired,
    servicePorts,
    errors: [...state.errors.map((e) => e.message), ...kept],
  };
}
