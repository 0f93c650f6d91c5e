import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoKey } from 'jose';
import { admit, fetchSigningKeys, type CheckedHeader } from './check-token.js';
import { forward } from './forward.js';

/**
 * A local stand-in for Cloud Run's front end in front of a service that requires authentication: a loopback reverse
 * proxy that checks the caller's identity token against the locally served signing keys and the invoker list, refuses
 * with 401/403 before the container sees anything, and forwards an admitted request with the token's signature
 * removed. See check-token.ts and forward.ts for what is modelled, and on which document.
 */
export interface CloudRunFrontOptions {
  /** The container: the Functions Framework's URL. */
  readonly target: string;
  /** The service's URL (`https://NAME-HASH-REGION.a.run.app`): the audience its callers' tokens carry. */
  readonly serviceUrl: string;
  /** Custom audiences the service also accepts (https://cloud.google.com/run/docs/configuring/custom-audiences). */
  readonly customAudiences?: readonly string[];
  /** Principals holding `roles/run.invoker` on the service. */
  readonly invokers: readonly string[];
  /** Where Google's signing keys are served (the token issuer of the tests). */
  readonly certsUrl: string;
}

/** What the front did with one request. */
export interface FrontDecision {
  readonly path: string;
  readonly status: 'forwarded' | 401 | 403;
  readonly header?: CheckedHeader;
  readonly reason?: string;
}

export interface CloudRunFront {
  /** The loopback address that stands for the service URL. */
  readonly url: string;
  readonly decisions: readonly FrontDecision[];
  stop(): Promise<void>;
}

const REFUSAL_PAGES = { 401: 'Unauthorized', 403: 'Forbidden' } as const;

export async function startCloudRunFront(options: CloudRunFrontOptions): Promise<CloudRunFront> {
  let keys: Promise<ReadonlyMap<string, CryptoKey>> | undefined;
  const policy = {
    audiences: [options.serviceUrl, ...(options.customAudiences ?? [])],
    invokers: options.invokers,
    keys: () => (keys ??= fetchSigningKeys(options.certsUrl)),
  };
  const target = new URL(options.target);
  const serviceHost = new URL(options.serviceUrl).host;
  const decisions: FrontDecision[] = [];
  const server: Server = createServer((request, response) => {
    void admit(request.headers, policy).then((admission) => {
      const path = request.url ?? '/';
      if (!admission.admitted) {
        decisions.push({
          path,
          status: admission.status,
          reason: admission.reason,
          ...(admission.header ? { header: admission.header } : {}),
        });
        request.resume();
        response
          .writeHead(admission.status, { 'content-type': 'text/html; charset=UTF-8' })
          .end(`<html><head><title>${admission.status} ${REFUSAL_PAGES[admission.status]}</title></head></html>\n`);
        return;
      }
      decisions.push({ path, status: 'forwarded', header: admission.header });
      forward(request, response, { target, serviceHost, checked: admission.header, token: admission.token });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    decisions,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
