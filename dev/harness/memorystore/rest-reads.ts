import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { status, type UntypedHandleCall } from '@grpc/grpc-js';
import { sendGrpcError, sendJson } from '../google-rest.js';
import type { Call, Done } from './grpc-handlers.js';

/**
 * Which Get answers `GET /<service>/v1/projects/P/locations/L/<collection>/ID`: the products' documented REST Gets
 * are `GET https://<service>/v1/{name}` with that name (redis.googleapis.com instances and
 * clusters, memorystore.googleapis.com and memcache.googleapis.com instances), e.g.
 * https://cloud.google.com/memorystore/docs/memcached/reference/rest/v1/projects.locations.instances/get. One local
 * port serves all four, so the service name leads the path.
 */
export interface RestRoute {
  readonly serviceName: string;
  readonly collection: string;
  /** The unary Get method of the local gRPC service, called here as grpc-js calls it. */
  readonly get: UntypedHandleCall;
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

function answer(routes: readonly RestRoute[], request: IncomingMessage, response: ServerResponse): void {
  const [, serviceName, version, ...rest] = new URL(request.url ?? '/', 'http://local').pathname.split('/');
  const name = rest.join('/');
  const route = routes.find((r) => r.serviceName === serviceName && rest[4] === r.collection && rest.length === 6);
  if (request.method !== 'GET' || version !== 'v1' || !route)
    return sendGrpcError(
      response,
      status.NOT_FOUND,
      `${request.method} ${request.url} is not served locally (only v1 Get)`,
    );
  const get = route.get as (call: Call, done: Done) => void;
  get({ request: { name } } as unknown as Call, (failure, resource) =>
    failure
      ? sendGrpcError(response, failure.code, failure.details ?? '')
      : sendJson(response, 200, proto3Json(resource as object)),
  );
}

/**
 * The REST reads of `routes` (each product's Get, answered by the same handler as its gRPC Get), for the local
 * Memorystore API's shared port (google-rest.ts).
 */
export const restReads =
  (routes: readonly RestRoute[]): RequestListener =>
  (request, response) =>
    answer(routes, request, response);
