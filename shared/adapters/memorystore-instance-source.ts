import { CloudRedisClient, protos } from '@google-cloud/redis';
import { credentials } from '@grpc/grpc-js';
import type { Config } from '../config/parse-config.js';
import { PermanentError, TransientError } from '../errors.js';
import type { RedisInstance } from '../model/instance.js';
import type { InstanceListing, InstanceSource } from './instance-source.js';

type ApiInstance = protos.google.cloud.redis.v1.IInstance;

// gRPC status codes: https://grpc.github.io/grpc/core/md_doc_statuscodes.html
const NOT_FOUND = 5;
const TRANSIENT_CODES = new Set([4, 8, 10, 13, 14]); // DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE

/**
 * Deadline of one call, retries of the client included. The client's own default is 600 s, longer than the function
 * may run; a call that cannot answer in this time fails as DEADLINE_EXCEEDED, which is transient, and the event is
 * redelivered rather than the function being killed mid-reconcile.
 */
const CALL_DEADLINE_MS = 30_000;

const codeOf = (error: unknown): number | undefined => (typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : undefined);

// INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED: the request or the function's identity is
// wrong, and asking again will not change the answer.
const PERMANENT_CODES = new Set([3, 7, 9, 16]);

function translate(error: unknown, action: string): never {
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message.slice(0, 300) : '';
  if (code !== undefined && TRANSIENT_CODES.has(code)) throw new TransientError(`${action}: Memorystore API code ${code}: ${detail}`, { cause: error });
  if (code !== undefined && PERMANENT_CODES.has(code)) throw new PermanentError(`${action}: Memorystore API code ${code}: ${detail}`, { cause: error });
  throw error;
}

/** Only the fields that decide egress config; enums arrive as strings from google-gax. */
export function toRedisInstance(api: ApiInstance): RedisInstance {
  const port = (value: unknown): number | undefined => (typeof value === 'number' && value > 0 ? value : undefined);
  return {
    name: api.name ?? '',
    state: String(api.state ?? 'STATE_UNSPECIFIED'),
    ...(api.host ? { host: api.host } : {}),
    ...(port(api.port) ? { port: port(api.port) } : {}),
    ...(api.readEndpoint ? { readEndpoint: api.readEndpoint } : {}),
    ...(port(api.readEndpointPort) ? { readEndpointPort: port(api.readEndpointPort) } : {}),
    ...(api.labels && Object.keys(api.labels).length > 0 ? { labels: { ...api.labels } } : {}),
  };
}

export function makeRedisClient(config: Pick<Config, 'project' | 'memorystoreEndpoint'>): CloudRedisClient {
  const endpoint = config.memorystoreEndpoint;
  if (!endpoint) return new CloudRedisClient();
  // A plaintext local server (tests, the demo) gets no Google credentials. The project id and universe domain are
  // set so the client does not probe the metadata server for them.
  return new CloudRedisClient({
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    projectId: config.project,
    ...(endpoint.plaintext ? { sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' } : {}),
  });
}

export class MemorystoreInstanceSource implements InstanceSource {
  constructor(
    private readonly client: CloudRedisClient,
    private readonly pageSize = 500,
  ) {}

  async get(name: string): Promise<RedisInstance | undefined> {
    try {
      const [instance] = await this.client.getInstance({ name }, { timeout: CALL_DEADLINE_MS });
      return toRedisInstance(instance);
    } catch (error) {
      if (codeOf(error) === NOT_FOUND) return undefined;
      return translate(error, `get ${name}`);
    }
  }

  async list(project: string, location: string): Promise<InstanceListing> {
    const instances: RedisInstance[] = [];
    const unreachable = new Set<string>();
    let pageToken = '';
    // Paged by hand: the async iterator hides `unreachable`, which the prune safety rule needs.
    do {
      const request = { parent: `projects/${project}/locations/${location}`, pageSize: this.pageSize, pageToken };
      const [page, , response] = await this.client.listInstances(request, { autoPaginate: false, timeout: CALL_DEADLINE_MS }).catch((e: unknown) => translate(e, `list ${request.parent}`));
      instances.push(...page.map(toRedisInstance));
      for (const u of response?.unreachable ?? []) unreachable.add(u);
      pageToken = response?.nextPageToken ?? '';
    } while (pageToken);
    return { instances, unreachable: [...unreachable] };
  }
}
