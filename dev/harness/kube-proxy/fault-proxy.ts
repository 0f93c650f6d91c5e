import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

/** What a fault rule answers instead of the apiserver; undefined lets the request through. */
export interface InjectedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/**
 * `'reset'` drops the client's connection without an answer, as a crashed or restarted apiserver would; `'hang'`
 * keeps it open and never answers, as an apiserver that accepts TCP but is stuck would.
 */
export type FaultRule = (request: {
  method: string;
  url: string;
  seen: number;
}) => InjectedAnswer | 'reset' | 'hang' | undefined;

export interface FaultProxy {
  /** Kubeconfig of the same user, pointed at the proxy. */
  readonly kubeconfig: string;
  /** Requests that reached the proxy, as `METHOD url`. */
  readonly requests: string[];
  /** TCP connections clients have opened to the proxy so far. */
  connections(): number;
  setRule(rule: FaultRule | undefined): void;
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /**
   * Serve the API under this path, as the Connect gateway does (`/v1/projects/N/locations/L/gkeMemberships/M`): the
   * kubeconfig's server carries it, and a request outside it gets 404 instead of reaching the apiserver.
   */
  readonly pathPrefix?: string;
}

/**
 * A loopback proxy in front of the real kube-apiserver that can answer a request itself (a 429 with Retry-After, a
 * 410 for an expired continue token, a 503) instead of passing it on, and counts what it sees. The client under test
 * talks plain HTTP to it; the proxy talks TLS to the apiserver with the user's own token.
 */
export async function startFaultProxy(
  kubeconfigPath: string,
  outPath: string,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const prefix = options.pathPrefix ?? '';
  const config = parse(readFileSync(kubeconfigPath, 'utf8')) as KubeconfigFile;
  const upstream = new URL(config.clusters[0]!.cluster.server);
  const requests: string[] = [];
  let rule: FaultRule | undefined;
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const injected = rule?.({ method: req.method ?? '', url: req.url ?? '', seen: requests.length });
    if (injected === 'reset') return void req.socket.resetAndDestroy();
    if (injected === 'hang') return;
    if (injected) return answer(res, injected);
    if (!req.url?.startsWith(`${prefix}/`)) return answer(res, { status: 404 });
    forward(req, res, upstream, req.url.slice(prefix.length));
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const cluster = { server: `http://127.0.0.1:${port}${prefix}`, 'insecure-skip-tls-verify': true };
  writeFileSync(outPath, stringify({ ...config, clusters: [{ name: config.clusters[0]!.name, cluster }] }), {
    mode: 0o600,
  });
  return {
    kubeconfig: outPath,
    requests,
    connections: () => connections,
    setRule: (r) => (rule = r),
    stop: () => close(server),
  };
}

interface KubeconfigFile {
  clusters: Array<{ name: string; cluster: { server: string } }>;
}

function answer(res: ServerResponse, injected: InjectedAnswer): void {
  res.writeHead(injected.status, { 'content-type': 'application/json', ...injected.headers });
  res.end(
    JSON.stringify(
      injected.body ?? {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        code: injected.status,
        message: 'injected by the fault proxy',
      },
    ),
  );
}

function forward(req: IncomingMessage, res: ServerResponse, upstream: URL, path: string): void {
  const outgoing = httpsRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      path,
      method: req.method,
      headers: { ...req.headers, host: upstream.host },
      rejectUnauthorized: false,
    },
    (answerFromServer) => {
      res.writeHead(answerFromServer.statusCode ?? 502, answerFromServer.headers);
      answerFromServer.pipe(res);
    },
  );
  outgoing.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(outgoing);
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
