import { PermanentError, TransientError } from '../errors.js';
import type { MemorystoreInstance } from '../model/instance.js';
import type { ClientSettings } from '../products/product-module.js';
import { parseInstanceName, relativeNameOf } from '../products/instance-name.js';
import { applicationDefaultToken } from './google-auth.js';
import { callRest, RestCallError, type TokenSource } from './google-rest.js';

/**
 * Deadline of one read, retries included (the gRPC clients' own default is 600 s, longer than the function may run).
 * A read that cannot answer in this time fails as transient, and the event is redelivered.
 */
const CALL_DEADLINE_MS = 30_000;

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
 * One instance of a product, read over the product's REST API (`GET v1/{name}`, e.g.
 * https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations.instances/get): the token,
 * retries of 408, 429 and 5xx with backoff, a deadline (google-rest.ts). An event reads one
 * instance, and this read loads no gRPC client (google-gax, grpc-js, protobufjs): the first event after a cold start
 * would otherwise spend most of its CPU loading one (docs/performance.md). The JSON mapping of the resource has the
 * names and enum strings of the gRPC client's objects, so the product's mapper reads both.
 */
export class RestInstanceReads {
  private readonly base: { url: string; token?: TokenSource };

  constructor(
    settings: ClientSettings,
    serviceName: string,
    private readonly toInstance: (api: never) => MemorystoreInstance,
  ) {
    this.base = restBase(settings, serviceName);
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
}
