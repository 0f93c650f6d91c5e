import { randomBytes } from 'node:crypto';
import { REDIS_API, type AdminApi } from './admin-api.js';

/**
 * The Admin Activity audit LogEntry a Memorystore admin call produces, as a Logging sink publishes it to Pub/Sub.
 * No public copy of a real redis.googleapis.com entry exists, so this follows the documented LogEntry and AuditLog
 * schemas and the shape of other services' long-running-operation entries: a `first` entry when the call is accepted,
 * carrying the Operation as `response`, and a `last` entry when it finishes, carrying none.
 * https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry
 * https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog
 */
/**
 * How far the local API's entries stray from the complete ones it writes by default, as real entries may: AuditLog
 * says a request too large for the entry is cut down, and the last entry of a long-running operation, written when
 * the operation ends, need not repeat the request or name the instance (its monitored resource may be the generic
 * `audited_resource`). https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog
 */
export interface EntryShape {
  /** The last entry's request holds its `@type` only. */
  readonly trimLastRequest?: boolean;
  /**
   * The last entry's resourceName: the instance's relative name (the default), its full resource name
   * (`//SERVICE/projects/...`), its collection (`projects/P/locations/L/instances`), or none.
   */
  readonly lastResourceName?: 'relative' | 'full' | 'collection' | 'none';
  /** Every entry's monitored resource is `audited_resource` (project and service), naming no instance. */
  readonly genericResource?: boolean;
}

function lastResourceName(shape: EntryShape, api: AdminApi, instanceName: string): string | undefined {
  switch (shape.lastResourceName) {
    case 'full':
      return `//${api.serviceName}/${instanceName}`;
    case 'collection':
      return instanceName.slice(0, instanceName.lastIndexOf('/'));
    case 'none':
      return undefined;
    default:
      return instanceName;
  }
}

export interface EntryInput {
  /** The API whose method it is (default: Memorystore for Redis). */
  readonly api?: AdminApi;
  /** `CreateInstance`, `UpdateInstance`, ...: the v1 method of the API's interface. */
  readonly method: string;
  readonly permission: string;
  /**
   * What the entry names: the instance, or for the first entry of a create its parent (the instance does not exist
   * yet).
   */
  readonly resourceName: string;
  /** The instance the operation is about, for the monitored resource's labels. */
  readonly instanceName: string;
  /** The request as the caller sent it; never anything secret (the Instance message holds no AUTH string). */
  readonly request: Record<string, unknown>;
  readonly operation: { readonly name: string; readonly phase: 'first' | 'last' };
  readonly principal: string;
  readonly response?: Record<string, unknown>;
  readonly time: Date;
  readonly shape?: EntryShape;
}

/** The LogEntry auditLogEntry() builds (the fields it sets; a real entry may carry more). */
export interface AuditLogEntry {
  insertId: string;
  logName: string;
  protoPayload: {
    '@type': string;
    status: Record<string, never>;
    authenticationInfo: { principalEmail: string };
    requestMetadata: { callerIp: string; callerSuppliedUserAgent: string };
    serviceName: string;
    methodName: string;
    authorizationInfo: Array<{ resource: string; permission: string; granted: boolean }>;
    resourceName?: string;
    request: Record<string, unknown>;
    response?: Record<string, unknown>;
  };
  resource: { type: string; labels: Record<string, string> };
  timestamp: string;
  receiveTimestamp: string;
  severity: 'NOTICE';
  operation: { id: string; producer: string; first?: true; last?: true };
}

export const USER_AGENT = 'gcloud/500.0.0 command/gcloud.redis.instances grpc-node-js/1.14 gl-node/22';

export function auditLogEntry(input: EntryInput): AuditLogEntry {
  const [, project = '', , region = '', , instanceId = ''] = input.instanceName.split('/');
  const timestamp = input.time.toISOString();
  const api = input.api ?? REDIS_API;
  const shape = input.shape ?? {};
  const last = input.operation.phase === 'last';
  const resourceName = last ? lastResourceName(shape, api, input.resourceName) : input.resourceName;
  const requestType = `type.googleapis.com/${api.interfaceName.slice(0, api.interfaceName.lastIndexOf('.'))}.${input.method}Request`;
  return {
    insertId: randomBytes(6).toString('hex'),
    logName: `projects/${project}/logs/cloudaudit.googleapis.com%2Factivity`,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: {},
      authenticationInfo: { principalEmail: input.principal },
      requestMetadata: { callerIp: '127.0.0.1', callerSuppliedUserAgent: USER_AGENT },
      serviceName: api.serviceName,
      methodName: `${api.interfaceName}.${input.method}`,
      authorizationInfo: [{ resource: input.resourceName, permission: input.permission, granted: true }],
      ...(resourceName === undefined ? {} : { resourceName }),
      request: { '@type': requestType, ...(last && shape.trimLastRequest ? {} : input.request) },
      ...(input.response ? { response: input.response } : {}),
    },
    resource: shape.genericResource
      ? { type: 'audited_resource', labels: { project_id: project, service: api.serviceName } }
      : api.resource(project, region, instanceId),
    timestamp,
    // Logging receives an entry a little after it is written.
    receiveTimestamp: new Date(input.time.getTime() + 7).toISOString(),
    severity: 'NOTICE',
    operation: { id: input.operation.name, producer: api.serviceName, [input.operation.phase]: true },
  };
}

const isEmpty = (value: unknown): boolean =>
  value === '' ||
  value === 0 ||
  value === false ||
  value === null ||
  value === undefined ||
  (typeof value === 'string' && value.endsWith('_UNSPECIFIED')) ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

/**
 * A decoded request without the fields the caller left at their defaults, as the audit log's JSON rendering of the
 * request proto shows it (proto-loader fills every default in; the log does not).
 */
export function compact(message: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    const kept =
      value && typeof value === 'object' && !Array.isArray(value) ? compact(value as Record<string, unknown>) : value;
    if (!isEmpty(kept)) out[key] = kept;
  }
  return out;
}
