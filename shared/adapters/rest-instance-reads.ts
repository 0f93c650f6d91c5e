import { PermanentError, TransientError } from '../errors.js';
import type { MemorystoreInstance } from '../model/instance.js';
import type { ClientSettings, ProductNaming } from '../products/product-module.js';
import type { InstanceListing, InstanceSource } from '../products/instance-source.js';
import { parseInstanceName, relativeNameOf } from '../products/instance-name.js';
import { applicationDefaultToken } from './google-auth.js';
import { callRest, RestCallError, type TokenSource } from './google-rest.js';

/**
 * Deadline of one call (a read, a page of a listing), retries included. A call that cannot answer in this time fails
 * as transient: the event is redelivered, the resync fails and is called again.
 */
const CALL_DEADLINE_MS = 30_000;

/** Instances asked for per page of a listing (the APIs answer at most 1,000 a page). */
const PAGE_SIZE = 500;

/** One page of a listing, as the JSON mapping of the product's List response has it. */
interface ListPage {
  readonly nextPageToken?: string;
  readonly unreachable?: readonly string[];
  readonly [collection: string]: unknown;
}

/**
 * Where one product's REST API is: `https://<service>/v1/` by default, with ADC. A local server
 * (MEMORYSTORE_API_ENDPOINT) serves every product on one port, each under its service name.
 */
export function restBase(settings: ClientSettings, serviceName: string): { url: string; token?: TokenSource } {
  const endpoint = settings.memorystoreEndpoint;
  if (!endpoint) return { url: `https://${serviceName}/v1/`, token: applicationDefaultToken(settings.project) };
  if (endpoint.plaintext) return { url: `http://${endpoint.host}:${endpoint.port}/${serviceName}/v1/` };
  return {
    url: `https://${endpoint.host}:${endpoint.port}/${serviceName}/v1/`,
    token: applicationDefaultToken(settings.project),
  };
}

/** HTTP status of a failed request, or undefined when none came back (connection refused, reset, timed out). */
export const statusOf = (error: unknown): number | undefined =>
  error instanceof RestCallError ? error.status : undefined;

function translate(error: unknown, action: string): never {
  const status = statusOf(error);
  const detail = error instanceof Error ? error.message.slice(0, 300) : String(error);
  // 408, 429 and 5xx were already retried (google-rest.ts); no answer at all is a network failure or the deadline.
  if (status === undefined || status === 408 || status === 429 || status >= 500)
    throw new TransientError(`${action}: Memorystore API ${status ? `HTTP ${status}` : 'no answer'}: ${detail}`, {
      cause: error,
    });
  throw new PermanentError(`${action}: Memorystore API HTTP ${status}: ${detail}`, { cause: error });
}

/**
 * One product's instances over its REST API: one read by name (`GET v1/{name}`, e.g.
 * https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations.instances/get), what an event
 * needs, and listings page by page, what a resync needs; each call with the token, retries of 408, 429 and 5xx with
 * backoff, and a deadline (google-rest.ts). No gRPC client is loaded (google-gax, grpc-js, protobufjs): loading one
 * was most of the first event's CPU after a cold start, and with all four products a resync at 256 MiB died of heap
 * exhaustion at 3,000 instances of each, which it now lists and plans (docs/performance.md, `npm run bench:memory`).
 * The JSON mapping of a resource has the names and enum strings of the gRPC clients' objects, so the product's mapper
 * reads it.
 */
export class RestInstanceReads implements InstanceSource {
  private readonly base: { url: string; token?: TokenSource };

  constructor(
    settings: ClientSettings,
    private readonly api: Pick<ProductNaming, 'serviceName' | 'collection'>,
    private readonly toInstance: (api: never) => MemorystoreInstance,
    private readonly pageSize = PAGE_SIZE,
  ) {
    this.base = restBase(settings, api.serviceName);
  }

  async get(name: string): Promise<MemorystoreInstance | undefined> {
    const parsed = parseInstanceName(name);
    if (!parsed) throw new PermanentError(`get ${name}: not an instance name`);
    try {
      const found = await callRest<object>(
        { url: `${this.base.url}${relativeNameOf(parsed)}`, method: 'GET', deadlineMs: CALL_DEADLINE_MS },
        this.base.token,
      );
      return this.toInstance(found as never);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      return translate(error, `get ${name}`);
    }
  }

  /**
   * Every instance of the project in a location (`-`: every location), page by page: `GET v1/{parent}/<collection>`,
   * whose answer holds the page under the collection's name (`instances`, `clusters`), `nextPageToken` until the last
   * page, and `unreachable`: the locations it could not read, whose instances are missing from the pages (e.g.
   * https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations.instances/list,
   * https://cloud.google.com/memorystore/docs/cluster/reference/rest/v1/projects.locations.clusters/list). Each page
   * is one call with its own retries and deadline.
   */
  async list(project: string, location: string): Promise<InstanceListing> {
    const parent = `projects/${project}/locations/${location}`;
    const instances: MemorystoreInstance[] = [];
    const unreachable = new Set<string>();
    let pageToken = '';
    do {
      const query = new URLSearchParams({ pageSize: String(this.pageSize), ...(pageToken ? { pageToken } : {}) });
      const url = `${this.base.url}${parent}/${this.api.collection}?${query}`;
      let page: ListPage;
      try {
        page = await callRest<ListPage>({ url, method: 'GET', deadlineMs: CALL_DEADLINE_MS }, this.base.token);
      } catch (error) {
        return translate(error, `list ${parent}`);
      }
      const found = page[this.api.collection];
      if (Array.isArray(found)) for (const api of found) instances.push(this.toInstance(api as never));
      for (const lost of page.unreachable ?? []) unreachable.add(lost);
      pageToken = page.nextPageToken ?? '';
    } while (pageToken);
    return { instances, unreachable: [...unreachable] };
  }
}
