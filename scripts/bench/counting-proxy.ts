import { connect, createServer, type Server, type Socket } from 'node:net';

/** Totals since the proxy started; subtract two snapshots to get a phase's share. */
export interface TrafficCounts {
  /** TCP (here: TLS) connections opened to the apiserver. */
  readonly connections: number;
  /** Bytes the clients sent (requests, TLS records included). */
  readonly sent: number;
  /** Bytes the apiserver answered (responses, TLS records included). */
  readonly received: number;
  /**
   * Connections the relay could not make or keep (e.g. out of file descriptors): a limit of the bench, not the client.
   */
  readonly broken: number;
}

export interface CountingProxy {
  /** https://127.0.0.1:<port>: use in place of the apiserver's address (its certificate is for 127.0.0.1). */
  readonly url: string;
  counts(): TrafficCounts;
  stop(): Promise<void>;
}

export const trafficSince = (before: TrafficCounts, after: TrafficCounts): TrafficCounts => ({
  connections: after.connections - before.connections,
  sent: after.sent - before.sent,
  received: after.received - before.received,
  broken: after.broken - before.broken,
});

/**
 * A loopback TCP relay in front of the apiserver that counts what crosses it. TLS passes through untouched (the
 * clients still verify the apiserver's certificate), so the bytes are bytes on the wire, handshakes included: a
 * client that opens a new TLS connection per request pays for it here, as it would against a real cluster.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const { hostname, port } = new URL(target);
  let connections = 0;
  let sent = 0;
  let received = 0;
  let broken = 0;
  const open = new Set<Socket>();
  // noDelay on both legs: with Nagle's algorithm on, a relayed small write waits for the ACK of the one before it,
  // which the receiver may delay (up to 40 ms on Linux), and the relay would add that to the requests it counts.
  const server: Server = createServer({ noDelay: true }, (client) => {
    connections++;
    const upstream = connect({ port: Number(port), host: hostname, noDelay: true });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    }
    client.on('error', () => client.destroy());
    upstream.on('error', () => {
      broken++;
      upstream.destroy();
    });
    client.on('data', (chunk: Buffer) => void (sent += chunk.length));
    upstream.on('data', (chunk: Buffer) => void (received += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${listening}`,
    counts: () => ({ connections, sent, received, broken }),
    async stop() {
      open.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
