import type { Endpoint, MemorystoreInstance } from '../model/instance.js';

/** Dotted-decimal IPv4 as the protos' `IPV4` format has it: four octets of 0-255, no leading zeros. */
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/**
 * A DNS name as RFC 1123 allows it: Redis' `host` and a Memcached node's `host` are "Hostname or IP address"
 * (cloud_redis.proto Instance.host, cloud_memcache.proto Instance.Node.host).
 */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Why an address cannot be declared. A host name is refused rather than rendered with `resolution: DNS`: a TCP
 * ServiceEntry needs an address for the sidecar to tell its traffic apart (without one Istio listens on 0.0.0.0 for
 * that port and takes every connection to it, IST0134), the gateway route matches `destinationSubnets`, which only
 * an address fills, and the admission policy admits only /32 addresses.
 * https://istio.io/latest/docs/reference/config/analysis/ist0134/
 */
export function addressProblem(address: string): string | undefined {
  if (IPV4.test(address)) return undefined;
  if (HOSTNAME.test(address) && !/^[\d.]+$/.test(address))
    return 'a host name, not an IPv4 address: a TCP ServiceEntry and its gateway route need the address itself';
  return `${JSON.stringify(address)} is not an IPv4 address`;
}

const portProblem = (port: number): string | undefined =>
  Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : `port ${port} is not in 1-65535`;

function endpointProblem(endpoint: Endpoint): string | undefined {
  const problem = portProblem(endpoint.port) ?? addressProblem(endpoint.address);
  return problem ? `${endpoint.role} endpoint ${endpoint.address}:${endpoint.port}: ${problem}` : undefined;
}

/** Why one set of endpoints (and node addresses) cannot be declared. */
function viewProblem(view: Pick<MemorystoreInstance, 'endpoints' | 'nodePorts'>): string | undefined {
  const nodeAddress = view.nodePorts?.addresses.find((a) => addressProblem(a) !== undefined);
  return (
    view.endpoints?.map(endpointProblem).find((p) => p !== undefined) ??
    (nodeAddress === undefined ? undefined : `node address ${JSON.stringify(nodeAddress)} is not an IPv4 address`)
  );
}

/**
 * The instance as mapped, with `invalid` set when the API reported what the objects cannot hold (the protos type
 * ports as int32 and addresses as strings), in any of its networks. Only that instance is refused: the apiserver
 * would reject the object with a 422 in the middle of a resync.
 */
export function checked(instance: MemorystoreInstance, problem?: string): MemorystoreInstance {
  const invalid = problem ?? viewProblem(instance) ?? instance.byNetwork?.map(viewProblem).find((p) => p !== undefined);
  return invalid === undefined ? instance : { ...instance, invalid };
}

/** The first id that occurs twice in `ids`. */
export function repeated(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  return ids.find((id) => seen.has(id) || !seen.add(id));
}
