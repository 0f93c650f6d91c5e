import { createRequire } from 'node:module';
import { PermanentError, TransientError } from '../errors.js';
import type { MemorystoreInstance } from '../model/instance.js';
import { parseInstanceName, relativeNameOf } from './instance-name.js';
import type { InstanceListing, InstanceSource } from './instance-source.js';
import type { ClientSettings } from './product-module.js';

// gRPC status codes: https://grpc.github.io/grpc/core/md_doc_statuscodes.html
const NOT_FOUND = 5;
// DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE
const TRANSIENT_CODES = new Set([4, 8, 10, 13, 14]);
// INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED: the request or the function's identity is
// wrong, and asking again will not change the answer.
const PERMANENT_CODES = new Set([3, 7, 9, 16]);

/**
 * Deadline of one call, retries of the client included. The clients' own default is 600 s, longer than the function
 * may run; a call that cannot answer in this time fails as DEADLINE_EXCEEDED, which is transient, and the event is
 * redelivered rather than the function being killed mid-reconcile.
 */
const CALL_DEADLINE_MS = 30_000;

const codeOf = (error: unknown): number | undefined =>
  typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : undefined;

function translate(error: unknown, action: string): never {
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message.slice(0, 300) : '';
  if (code !== undefined && TRANSIENT_CODES.has(code))
    throw new TransientError(`${action}: Memorystore API code ${code}: ${detail}`, { cause: error });
  if (code !== undefined && PERMANENT_CODES.has(code))
    throw new PermanentError(`${action}: Memorystore API code ${code}: ${detail}`, { cause: error });
  throw error;
}

interface ListResponse<Api> {
  readonly instances?: readonly Api[] | null;
  readonly unreachable?: readonly string[] | null;
  readonly nextPageToken?: string | null;
}

/**
 * What the reconciler calls of a product's generated client: the two reads every Memorystore admin API has, with
 * the same request and response shapes (CloudRedis, Memorystore, CloudMemcache).
 */
export interface InstanceReader<Api> {
  getInstance(request: { name: string }, options: { timeout: number }): Promise<readonly [Api, ...unknown[]]>;
  listInstances(
    request: { parent: string; pageSize: number; pageToken: string },
    options: { autoPaginate: false; timeout: number },
  ): Promise<readonly [readonly Api[], unknown, ListResponse<Api> | null | undefined, ...unknown[]]>;
}

/** One product's instances, read through its official client and mapped to the one instance model. */
export class ProductInstanceSource<Api> implements InstanceSource {
  constructor(
    private readonly client: InstanceReader<Api>,
    private readonly toInstance: (api: Api) => MemorystoreInstance,
    private readonly pageSize = 500,
  ) {}

  /** `name` is the instance's identity; the product's API knows it by its relative name. */
  async get(name: string): Promise<MemorystoreInstance | undefined> {
    const parsed = parseInstanceName(name);
    if (!parsed) throw new PermanentError(`get ${name}: not an instance name`);
    try {
      const [instance] = await this.client.getInstance({ name: relativeNameOf(parsed) }, { timeout: CALL_DEADLINE_MS });
      return this.toInstance(instance);
    } catch (error) {
      if (codeOf(error) === NOT_FOUND) return undefined;
      return translate(error, `get ${name}`);
    }
  }

  async list(project: string, location: string): Promise<InstanceListing> {
    const instances: MemorystoreInstance[] = [];
    const unreachable = new Set<string>();
    let pageToken = '';
    // Paged by hand: the async iterator hides `unreachable`, which the prune safety rule needs.
    do {
      const request = { parent: `projects/${project}/locations/${location}`, pageSize: this.pageSize, pageToken };
      const [page, , response] = await this.client
        .listInstances(request, { autoPaginate: false, timeout: CALL_DEADLINE_MS })
        .catch((e: unknown) => translate(e, `list ${request.parent}`));
      instances.push(...page.map(this.toInstance));
      for (const u of response?.unreachable ?? []) unreachable.add(u);
      pageToken = response?.nextPageToken ?? '';
    } while (pageToken);
    return { instances, unreachable: [...unreachable] };
  }
}

/**
 * Plaintext channel credentials made by the grpc-js that the client package's own google-gax loads: the product
 * clients pin different google-gax majors, and grpc-js refuses credentials made by another copy of itself.
 */
function insecureCredentialsFor(clientPackage: string): unknown {
  const require = createRequire(import.meta.url);
  const gax = createRequire(require.resolve(clientPackage))('google-gax') as {
    grpc: { credentials: { createInsecure(): unknown } };
  };
  return gax.grpc.credentials.createInsecure();
}

// A type literal, not an interface: the clients' ClientOptions have an index signature, which only literals satisfy.
type LocalClientOptions = {
  readonly apiEndpoint?: string;
  readonly port?: number;
  readonly projectId?: string;
  readonly sslCreds?: never;
  readonly universeDomain?: string;
};

/**
 * Options for a generated client: the Google endpoint by default; a plaintext local server (tests, the demo) gets no
 * Google credentials, and the project id and universe domain are set so the client does not probe the metadata
 * server for them.
 */
export function clientOptions(config: ClientSettings, clientPackage: string): LocalClientOptions {
  const endpoint = config.memorystoreEndpoint;
  if (!endpoint) return {};
  return {
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    projectId: config.project,
    // The credentials' type is that of the client's own grpc-js copy, which this module cannot name.
    ...(endpoint.plaintext
      ? { sslCreds: insecureCredentialsFor(clientPackage) as never, universeDomain: 'googleapis.com' }
      : {}),
  };
}
