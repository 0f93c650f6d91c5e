import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { status, type UntypedHandleCall } from '@grpc/grpc-js';
import type { Call, Done } from './grpc-handlers.js';

/** Which Get answers `GET /<service>/v1/projects/P/locations/L/<collection>/ID`. */
export interface RestRoute {
  readonly serviceName: string;
  readonly collection: string;
  /** The unary Get method of the local gRPC service, called here as grpc-js calls it. */
  readonly get: UntypedHandleCall;
}

// HTTP status and status name of each gRPC code, as Google's REST APIs map them:
// https://cloud.google.com/apis/design/errors#handling_errors
const HTTP_OF: Partial<Record<number, readonly [number, string]>> = {
  [status.INVALID_ARGUMENT]: [400, 'INVALID_ARGUMENT'],
  [status.FAILED_PRECONDITION]: [400, 'FAILED_PRECONDITION'],
  [status.UNAUTHENTICATED]: [401, 'UNAUTHENTICATED'],
  [status.PERMISSION_DENIED]: [403, 'PERMISSION_DENIED'],
  [status.NOT_FOUND]: [404, 'NOT_FOUND'],
  [status.ALREADY_EXISTS]: [409, 'ALREADY_EXISTS'],
  [status.ABORTED]: [409, 'ABORTED'],
  [status.RESOURCE_EXHAUSTED]: [429, 'RESOURCE_EXHAUSTED'],
  [status.UNIMPLEMENTED]: [501, 'UNIMPLEMENTED'],
  [status.UNAVAILABLE]: [503, 'UNAVAILABLE'],
  [status.DEADLINE_EXCEEDED]: [504, 'DEADLINE_EXCEEDED'],
};

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
  const send = (code: number, body: string): void => {
    response.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' }).end(body);
  };
  const error = (code: number, name: string, message: string): void =>
    send(code, JSON.stringify({ error: { code, message, status: name } }));
  const [, serviceName, version, ...rest] = new URL(request.url ?? '/', 'http://local').pathname.split('/');
  const name = rest.join('/');
  const route = routes.find((r) => r.serviceName === serviceName && rest[4] === r.collection && rest.length === 6);
  if (request.method !== 'GET' || version !== 'v1' || !route)
    return error(404, 'NOT_FOUND', `${request.method} ${request.url} is not served locally (only v1 Get)`);
  const get = route.get as (call: Call, done: Done) => void;
  get({ request: { name } } as unknown as Call, (failure, resource) => {
    if (!failure) return send(200, proto3Json(resource as object));
    const [code, statusName] = HTTP_OF[failure.code ?? status.UNKNOWN] ?? [500, 'INTERNAL'];
    return error(code, statusName, failure.details ?? '');
  });
}

// An HTTP/2 connection opens with this preface (RFC 9113, section 3.4); gRPC speaks nothing else.
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/**
 * One local port for both of each product's APIs, as Google serves gRPC and REST at one host: an HTTP/2 connection
 * is relayed to the gRPC server at `grpcPort`, an HTTP/1.1 one gets the REST reads of `routes` (each product's Get,
 * answered by the same handler as its gRPC Get). Resolves to the port and a stop function.
 */
export async function startSharedPort(
  grpcPort: number,
  routes: readonly RestRoute[],
): Promise<{ port: number; stop(): Promise<void> }> {
  const rest = createHttpServer((request, response) => answer(routes, request, response));
  const sockets = new Set<Socket>();
  const front: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE.subarray(0, first.length))) {
        const grpc = connect(grpcPort, '127.0.0.1');
        sockets.add(grpc);
        grpc.on('close', () => (sockets.delete(grpc), socket.destroy()));
        socket.on('close', () => grpc.destroy());
        grpc.on('error', () => socket.destroy());
        socket.on('error', () => grpc.destroy());
        grpc.write(first);
        socket.pipe(grpc).pipe(socket);
        socket.resume();
      } else {
        socket.unshift(first);
        rest.emit('connection', socket);
        socket.resume();
      }
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', () => resolve((front.address() as { port: number }).port));
  });
  return {
    port,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
