/**
 * VPC networks as the Memorystore APIs name them, in one form: `projects/P/global/networks/N`. Redis and Memcached
 * take `authorizedNetwork` as "the full name of the Google Compute Engine network" and default it to `default`
 * (cloud_redis.proto, cloud_memcache.proto Instance.authorized_network), so a bare name is read in the instance's own
 * project; PSC connections name theirs `projects/{project_id}/global/networks/{network_id}` (memorystore.proto
 * PscAutoConnection.network, cloud_redis_cluster.proto PscConnection.network). Compute's self links
 * (`https://www.googleapis.com/compute/v1/projects/...`) name the same network.
 */
const FULL =
  /^(?:https:\/\/(?:www|compute)\.googleapis\.com\/compute\/(?:v1|beta)\/|\/\/compute\.googleapis\.com\/)?(projects\/[a-z0-9][-a-z0-9.:]*[a-z0-9]\/global\/networks\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?)$/;
/** A network's own name (RFC 1035, as Compute names resources). */
const SHORT = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The network's full name, or undefined if `value` names no network (a bare name is read in `project`). */
export function fullNetworkName(value: string, project?: string): string | undefined {
  const full = FULL.exec(value)?.[1];
  if (full) return full;
  return project && SHORT.test(value) ? `projects/${project}/global/networks/${value}` : undefined;
}

/** The project part of `projects/P/...`, to read a bare network name of an instance in. */
export const projectOf = (name: string | null | undefined): string | undefined =>
  /^projects\/([^/]+)\//.exec(name ?? '')?.[1];

/**
 * The distinct full names among `values`, sorted; empty ones left out. A value in no known form is kept as it is: it
 * matches no cluster's network, so the instance is skipped with its network named rather than written unchecked.
 */
export function networksOf(values: ReadonlyArray<string | null | undefined>, project?: string): string[] {
  const names = values.flatMap((v) => (v ? [fullNetworkName(v, project) ?? v] : []));
  return [...new Set(names)].sort();
}
