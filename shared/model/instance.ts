/** The parts of a Memorystore for Redis instance that decide its egress configuration. */
export interface RedisInstance {
  /** `projects/P/locations/R/instances/I` */
  readonly name: string;
  readonly state: string;
  /** Primary endpoint: an IP address once the instance has one. */
  readonly host?: string;
  readonly port?: number;
  /** Present only with read replicas enabled. */
  readonly readEndpoint?: string;
  readonly readEndpointPort?: number;
  /** The instance's Memorystore labels, for INSTANCE_LABEL_SELECTOR. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface InstanceName {
  readonly full: string;
  readonly project: string;
  readonly location: string;
  readonly id: string;
}

// https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations.instances
const INSTANCE_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/instances\/([a-z][-a-z0-9]{0,39})$/;

export function parseInstanceName(value: string): InstanceName | undefined {
  const match = INSTANCE_NAME.exec(value);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { full: value, project: match[1], location: match[2], id: match[3] };
}

/** The location part of `projects/P/locations/R` or a bare `R`, as the API reports unreachable locations. */
export function locationOf(value: string): string {
  const match = /locations\/([^/]+)/.exec(value);
  return match?.[1] ?? value;
}

export type EndpointRole = 'primary' | 'read';

/** One address clients connect to; each gets its own ServiceEntry host and egress gateway port. */
export interface Endpoint {
  readonly role: EndpointRole;
  readonly address: string;
  readonly port: number;
}

/** The instance's usable endpoints, or undefined when it has no primary address yet (still being created). */
export function endpointsOf(instance: RedisInstance): Endpoint[] | undefined {
  if (!instance.host || !instance.port) return undefined;
  const endpoints: Endpoint[] = [{ role: 'primary', address: instance.host, port: instance.port }];
  if (instance.readEndpoint && instance.readEndpointPort) {
    endpoints.push({ role: 'read', address: instance.readEndpoint, port: instance.readEndpointPort });
  }
  return endpoints;
}
