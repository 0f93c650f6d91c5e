import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { status, type UntypedHandleCall } from '@grpc/grpc-js';
import { sendGrpcError, sendJson } from '../google-rest.js';
import type { Call, Done } from './grpc-handlers.js';

/**
 * Which Get answers `GET /<service>/v1/projects/P/locations/L/<collection>/ID`, and which List answers
 * `GET /<service>/v1/projects/P/locations/L/<collection>?pageSize=&pageToken=`: the products' documented REST reads are
 * `GET https://<service>/v1/{name}` and `GET https://<service>/v1/{parent}/<collection>` (redis.googleapis.com
 * instances and clusters, memorystore.googleapis.com and memcache.googleapis.com instances), e.g.
 * https://cloud.google.com/memorystore/docs/memcached/reference/rest/v1/projects.locations.instances/get and
 * https://cloud.google.com/memorystore/docs/cluster/reference/rest/v1/projects.locations.clusters/list. A List answers
 * with the page under the collection's name, `nextPageToken` and `unreachable`, as its gRPC List does. One local port
 * serves all four, so the service name leads the path.
 */
export interface RestRoute {
  readonly serviceName: string;
  readonly collection: string;
  /** The unary Get and List methods of the local gRPC service, called here as grpc-js calls them. */
  readonly get: UntypedHandleCall;
  readonly list: UntypedHandleCall;
}

const isTimestamp = (value: object): value is { seconds: string | number; nanos: number } =>
  Object.keys(value).length === 2 && 'seconds' in value && 'nanos' in value;

/**
 * A resource kept in proto-loader form as the proto3 JSON mapping writes it (https://protobuf.dev/programming-guides/json/):
 * the same lowerCamelCase names, enum names and int64 as strings; a Timestamp as RFC 3339; fields holding their
 * default value (0, "", false, an enum's zero, an empty list or map) left out, as Google's REST APIs leave them.
 */
export function proto3Json(resource: object): string {
  return JSON.stringify(resource, (_key, value: unknown) => {
    if (value === '' || value === 0 || value === false || (typeof value === 'string' && value.endsWith('_UNSPECIFIED')))
      return undefined;
    if (Array.isArray(value)) return value.length > 0 ? value : undefined;
    if (value && typeof value === 'object') {
      if (isTimestamp(value))
        return new Date(Number(value.seconds) * 1000 + Math.floor(value.nanos / 1e6)).toISOString();
      if (Object.keys(value).length === 0) return undefined;
    }
    return value;
  });
}

/** The call a path names: a Get (`.../<collection>/ID`) or a List (`.../<collection>`), with its request. */
function callOf(
  routes: readonly RestRoute[],
  url: URL,
): { handler: UntypedHandleCall; request: Record<string, unknown> } | undefined {
  const [, serviceName, version, ...rest] = url.pathname.split('/');
  const route = routes.find((r) => r.serviceName === serviceName && rest[4] === r.collection);
  if (version !== 'v1' || !route || rest[0] !== 'projects' || rest[2] !== 'locations') return undefined;
  if (rest.length === 6) return { handler: route.get, request: { name: rest.join('/') } };
  if (rest.length !== 5) return undefined;
  const request = {
    parent: rest.slice(0, 4).join('/'),
    pageSize: Number(url.searchParams.get('pageSize') ?? 0),
    pageToken: url.searchParams.get('pageToken') ?? '',
  };
  return { handler: route.list, request };
}

function answer(
  routes: readonly RestRoute[],
  onGet: () => void,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const call = request.method === 'GET' ? callOf(routes, new URL(request.url ?? '/', 'http://local')) : undefined;
  if (call && 'name' in call.request) onGet();
  if (!call)
    return sendGrpcError(
      response,
      status.NOT_FOUND,
      `${request.method} ${request.url} is not served locally (only v1 Get and List)`,
    );
  const handler = call.handler as (call: Call, done: Done) => void;
  handler({ request: call.request } as unknown as Call, (failure, resource) =>
    failure
      ? sendGrpcError(response, failure.code, failure.details ?? '')
      : sendJson(response, 200, proto3Json(resource as object)),
  );
}

/**
 * The REST reads of `routes` (each product's Get and List, answered by the same handlers as its gRPC ones), for the
 * local Memorystore API's shared port (google-rest.ts). `onGet` is called for each Get (not a List).
 */
export const restReads =
  (routes: readonly RestRoute[], onGet: () => void = () => undefined): RequestListener =>
  (request, response) =>
    answer(routes, onGet, request, response);
