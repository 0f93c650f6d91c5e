import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ClientHttp2Session } from 'node:http2';
import type { KubeObject } from '../../shared/model/k8s-object.js';
import type { SizeStack } from './bench-stack.js';

/**
 * The ceiling beside kubectl: how fast this apiserver takes the same objects when the client costs nearly nothing:
 * server-side apply of each object, as kubectl does it, over one HTTP/2 connection with this many requests in flight.
 * The apiserver advertises 250 concurrent streams per connection (Go's http2 default, which kube-apiserver keeps
 * unless --http2-max-streams-per-connection is set); Node's client holds the rest until a stream is free.
 */
export const CEILING_STREAMS = 256;

const PLURAL: Readonly<Record<string, string>> = {
  Service: 'services',
  ServiceEntry: 'serviceentries',
  Gateway: 'gateways',
  DestinationRule: 'destinationrules',
  VirtualService: 'virtualservices',
  AuthorizationPolicy: 'authorizationpolicies',
};

/** The object's own path: /api/v1/... for a core kind, /apis/<group>/<version>/... otherwise. */
export function objectPath(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const plural = PLURAL[object.kind];
  if (!plural) throw new Error(`the ceiling probe does not know the resource of kind ${object.kind}`);
  const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  return `${base}/namespaces/${object.metadata.namespace}/${plural}/${object.metadata.name}`;
}

function apply(session: ClientHttp2Session, token: string, object: KubeObject, manager: string): Promise<string> {
  const query = `?fieldManager=${encodeURIComponent(manager)}&force=true`;
  const stream = session.request({
    ':method': 'PATCH',
    ':path': `${objectPath(object)}${query}`,
    authorization: `Bearer ${token}`,
    // JSON is YAML: the apply patch type takes either.
    'content-type': 'application/apply-patch+yaml',
  });
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    let status = 0;
    stream.on('response', (headers) => void (status = Number(headers[':status'])));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      if (status >= 200 && status < 300) resolve('');
      else resolve(`HTTP ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`);
    });
    stream.end(JSON.stringify(object));
  });
}

/**
 * Applies every object as `admin` through the stack's counting proxy, CEILING_STREAMS at a time on one connection;
 * rejects with the first refusal's reason if any object was refused.
 */
export async function ceilingApply(
  stack: SizeStack,
  objects: readonly KubeObject[],
  manager: string,
  signal: AbortSignal,
): Promise<number> {
  const ca = readFileSync(join(stack.controlPlane.dataDir, 'certs/apiserver.crt'));
  const session = connect(stack.proxy.url, { ca });
  const closed = (): void => void session.destroy();
  signal.addEventListener('abort', closed, { once: true });
  const refusals: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length && !signal.aborted) {
      const refusal = await apply(session, stack.controlPlane.adminToken, objects[next++]!, manager);
      if (refusal) refusals.push(refusal);
    }
  };
  try {
    await Promise.all(Array.from({ length: CEILING_STREAMS }, worker));
  } finally {
    signal.removeEventListener('abort', closed);
    session.close();
  }
  if (refusals.length > 0) throw new Error(`${refusals.length} of ${objects.length} refused, e.g. ${refusals[0]}`);
  return objects.length;
}
