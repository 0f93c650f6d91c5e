import { readFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { ControlPlane } from '../../dev/harness/control-plane/index.js';

interface Waiter {
  readonly text: string;
  readonly kinds: Set<string>;
  readonly resolve: (at: number) => void;
}

/** Notices, as soon as the apiserver shows it, an object whose spec mentions a given text (e.g. a new address). */
export interface VisibilityWatch {
  /** Resolves with performance.now() when every watched kind has an object whose spec contains `text`. */
  visible(text: string): Promise<number>;
  stop(): void;
}

/**
 * Watches the given Istio kinds of a namespace (admin, straight to the apiserver, not through the counting proxy).
 * A watch rather than polling: the time an object is seen is the time the apiserver sends it, not a poll interval.
 */
export async function watchVisible(
  controlPlane: ControlPlane,
  namespace: string,
  resources: readonly string[],
): Promise<VisibilityWatch> {
  const ca = readFileSync(join(controlPlane.dataDir, 'certs/apiserver.crt'));
  const waiters = new Set<Waiter>();
  const requests: ClientRequest[] = [];
  const onEvent = (resource: string, line: string): void => {
    const at = performance.now();
    const spec = JSON.stringify((JSON.parse(line) as { object?: { spec?: unknown } }).object?.spec ?? {});
    for (const waiter of waiters) {
      // Quoted, so 10.0.0.1 does not match 10.0.0.10: an address alone, or as a /32.
      if (!spec.includes(`"${waiter.text}"`) && !spec.includes(`"${waiter.text}/`)) continue;
      waiter.kinds.delete(resource);
      if (waiter.kinds.size > 0) continue;
      waiters.delete(waiter);
      waiter.resolve(at);
    }
  };
  await Promise.all(
    resources.map(
      (resource) =>
        new Promise<void>((resolve, reject) => {
          const url = `${controlPlane.server}/apis/networking.istio.io/v1/namespaces/${namespace}/${resource}?watch=true`;
          const req = request(url, { ca, headers: { authorization: `Bearer ${controlPlane.adminToken}` } }, (res) => {
            if (res.statusCode !== 200) return reject(new Error(`watch ${resource}: HTTP ${res.statusCode}`));
            // stop() cuts the stream: that ends the watch, it is not an error.
            res.on('error', () => undefined);
            createInterface({ input: res })
              .on('line', (line) => onEvent(resource, line))
              .on('error', () => undefined);
            resolve();
          });
          req.on('error', reject);
          req.end();
          requests.push(req);
        }),
    ),
  );
  return {
    visible: (text) => new Promise((resolve) => waiters.add({ text, kinds: new Set(resources), resolve })),
    stop: () => requests.forEach((req) => req.destroy()),
  };
}
