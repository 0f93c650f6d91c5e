import { createServer as createHttpServer, type RequestListener, type ServerResponse } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { status } from '@grpc/grpc-js';

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

export function sendJson(response: ServerResponse, code: number, body: string): void {
  response.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' }).end(body);
}

/** A Google REST error body (`{"error": {"code", "message", "status"}}`) for a gRPC code. */
export function sendGrpcError(response: ServerResponse, grpcCode: number | undefined, message: string): void {
  const [code, name] = HTTP_OF[grpcCode ?? status.UNKNOWN] ?? [500, 'INTERNAL'];
  sendJson(response, code, JSON.stringify({ error: { code, message, status: name } }));
}

// An HTTP/2 connection opens with this preface (RFC 9113, section 3.4); gRPC speaks nothing else.
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/**
 * One local port for both of an API's transports, as Google serves gRPC and REST at one host: an HTTP/2 connection
 * is relayed to the gRPC server at `grpcPort`, an HTTP/1.1 one is answered by `rest`.
 */
export async function startSharedPort(
  grpcPort: number,
  rest: RequestListener,
): Promise<{ port: number; stop(): Promise<void> }> {
  const http = createHttpServer(rest);
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const front: Server = createServer((socket) => {
    track(socket);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE.subarray(0, first.length))) {
        const grpc = connect(grpcPort, '127.0.0.1');
        track(grpc);
        grpc.on('close', () => socket.destroy());
        socket.on('close', () => grpc.destroy());
        grpc.on('error', () => socket.destroy());
        socket.on('error', () => grpc.destroy());
        grpc.write(first);
        socket.pipe(grpc).pipe(socket);
      } else {
        socket.unshift(first);
        http.emit('connection', socket);
      }
      socket.resume();
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
