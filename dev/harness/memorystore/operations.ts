import { randomBytes } from 'node:crypto';
import type { Topic } from '@google-cloud/pubsub';
import { REDIS_API, type AdminApi } from './admin-api.js';
import { auditLogEntry, type EntryShape } from './audit-entry.js';
import { locationOf } from './instance-store.js';

export type Method =
  | 'CreateInstance'
  | 'UpdateInstance'
  | 'FailoverInstance'
  | 'DeleteInstance'
  | 'CreateCluster'
  | 'UpdateCluster'
  | 'DeleteCluster';

// The OperationMetadata verb of each method; the IAM permission it checks (the audit log's authorizationInfo) is
// `<api prefix>.<verb>`.
const VERB: Record<Method, string> = {
  CreateInstance: 'create',
  UpdateInstance: 'update',
  FailoverInstance: 'failover',
  DeleteInstance: 'delete',
  CreateCluster: 'create',
  UpdateCluster: 'update',
  DeleteCluster: 'delete',
};

export interface OperationSpec {
  /** The API the operation belongs to (default: Memorystore for Redis). */
  readonly api?: AdminApi;
  readonly method: Method;
  /** The instance the operation is about (its full name). */
  readonly instanceName: string;
  /** What the first audit entry names when it is not the instance (a create names the parent); cleared for the last. */
  readonly firstResourceName?: string | undefined;
  /** The request as the audit log shows it. */
  readonly request: Record<string, unknown>;
  /** Makes the change when the operation finishes; returns the Instance the operation yields, or nothing (Empty). */
  readonly apply: () => object | undefined;
}

interface AnyMessage {
  typeUrl: string;
  value: Buffer;
}
/** A `google.longrunning.Operation` in proto-loader form (the `result` oneof as `response`). */
export interface OperationMessage {
  name: string;
  done: boolean;
  metadata: AnyMessage;
  response?: AnyMessage;
}

export interface RunnerOptions {
  readonly projectId: string;
  readonly principal: string;
  readonly topic?: Topic;
  /** The projects whose entries reach the topic, as an aggregated sink routes its children's only; unset, every one. */
  readonly routedProjects?: readonly string[];
  readonly delayMs: number;
  /** Encodes the Instance an operation of `api` yields, in that API's own proto. */
  readonly encodeInstance: (instance: object, api: AdminApi) => Buffer;
}

const seconds = (t: Date): { seconds: number; nanos: number } => ({
  seconds: Math.floor(t.getTime() / 1000),
  nanos: (t.getTime() % 1000) * 1e6,
});

function metadata(api: AdminApi, verb: string, target: string, created: Date, ended?: Date): AnyMessage {
  const message = {
    createTime: seconds(created),
    ...(ended ? { endTime: seconds(ended) } : {}),
    target,
    verb,
    apiVersion: 'v1',
  };
  return { typeUrl: api.metadataType, value: api.encodeMetadata(message) };
}

/**
 * Long-running operations of the local API. Each runs for the configured delay, then applies its change; its first
 * audit entry goes to Pub/Sub when it starts and its last one when it finishes, as a Logging sink would route them.
 */
export class OperationRunner {
  delayMs: number;
  /** How the audit entries of operations that end from now on are shaped. */
  shape: EntryShape = {};
  private readonly operations = new Map<string, OperationMessage>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly publishing = new Set<Promise<void>>();
  private readonly failures: Error[] = [];

  constructor(private readonly options: RunnerOptions) {
    this.delayMs = options.delayMs;
  }

  /** Starts an operation: returns it as the API does (not done), and a promise of its end (last entry published). */
  start(spec: OperationSpec): { operation: OperationMessage; finished: Promise<void> } {
    const created = new Date();
    const api = spec.api ?? REDIS_API;
    const verb = VERB[spec.method];
    // Shaped like the service's names: operation-<millis>-<hex>-<hex>-<hex>.
    const id = `operation-${created.getTime()}-${randomBytes(7).toString('hex').slice(0, 13)}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`;
    // Under the instance's own project, as the services name an operation after the resource's parent.
    const project = /projects\/([^/]+)\//.exec(spec.instanceName)?.[1] ?? this.options.projectId;
    const name = `projects/${project}/locations/${locationOf(spec.instanceName)}/operations/${id}`;
    const operation: OperationMessage = {
      name,
      done: false,
      metadata: metadata(api, verb, spec.instanceName, created),
    };
    this.operations.set(name, operation);
    const response = {
      '@type': 'type.googleapis.com/google.longrunning.Operation',
      name,
      metadata: {
        '@type': api.metadataType,
        createTime: created.toISOString(),
        target: spec.instanceName,
        verb,
        cancelRequested: false,
        apiVersion: 'v1',
      },
      done: false,
    };
    void this.publish(spec, { name, phase: 'first' }, created, response);
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const result = spec.apply();
        const ended = new Date();
        operation.done = true;
        operation.metadata = metadata(api, verb, spec.instanceName, created, ended);
        operation.response = result
          ? { typeUrl: api.instanceType, value: this.options.encodeInstance(result, api) }
          : { typeUrl: 'type.googleapis.com/google.protobuf.Empty', value: Buffer.alloc(0) };
        resolve(this.publish({ ...spec, firstResourceName: undefined }, { name, phase: 'last' }, ended));
      }, this.delayMs);
      this.timers.add(timer);
    });
    return { operation, finished };
  }

  get(name: string): OperationMessage | undefined {
    return this.operations.get(name);
  }

  /** Operations under `projects/P/locations/L` (L may be `-`). */
  list(parent: string): OperationMessage[] {
    const location = locationOf(parent);
    return [...this.operations.values()].filter((op) => location === '-' || locationOf(op.name) === location);
  }

  delete(name: string): boolean {
    return this.operations.delete(name);
  }

  /**
   * Resolves once no operation is running and every audit entry has reached Pub/Sub; fails if one could not be
   * published.
   */
  async settled(): Promise<void> {
    while (this.timers.size > 0 || this.publishing.size > 0) {
      await Promise.all([...this.publishing, new Promise((resolve) => setTimeout(resolve, 10))]);
    }
    if (this.failures.length > 0)
      throw new Error(`audit entries not published: ${this.failures.map((e) => e.message).join('; ')}`);
  }

  /** Resolves once every audit entry written so far has reached Pub/Sub; running operations are not waited for. */
  async published(): Promise<void> {
    while (this.publishing.size > 0) await Promise.all([...this.publishing]);
  }

  /** Abandons running operations (their last entries are never written) and waits for publishes under way. */
  async stop(): Promise<void> {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    await Promise.all([...this.publishing]);
  }

  private publish(
    spec: OperationSpec,
    operation: { name: string; phase: 'first' | 'last' },
    time: Date,
    response?: Record<string, unknown>,
  ): Promise<void> {
    const { topic, principal, routedProjects } = this.options;
    if (!topic || (routedProjects && !routedProjects.includes(spec.instanceName.split('/')[1] ?? '')))
      return Promise.resolve();
    const api = spec.api ?? REDIS_API;
    const entry = auditLogEntry({
      api,
      method: spec.method,
      permission: `${api.permissionPrefix}.${VERB[spec.method]}`,
      resourceName: spec.firstResourceName ?? spec.instanceName,
      instanceName: spec.instanceName,
      request: spec.request,
      operation,
      principal,
      time,
      shape: this.shape,
      ...(response ? { response } : {}),
    });
    // A sink's message: the LogEntry as JSON, with the entry's time as an attribute.
    const attributes = { 'logging.googleapis.com/timestamp': time.toISOString() };
    const sent: Promise<void> = topic
      .publishMessage({ data: Buffer.from(JSON.stringify(entry)), attributes })
      .then(
        () => undefined,
        (error: unknown) => void this.failures.push(error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => this.publishing.delete(sent));
    this.publishing.add(sent);
    return sent;
  }
}
