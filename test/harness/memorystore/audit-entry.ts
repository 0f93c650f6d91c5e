import { randomBytes } from 'node:crypto';

/**
 * The audit LogEntry a Memorystore admin call produces, as a Logging sink publishes it to Pub/Sub. No public copy of
 * a real redis.googleapis.com entry exists, so this follows the documented LogEntry and AuditLog schemas and the shape
 * of other services' long-running-operation entries (a first entry with the Operation as response, a last entry with
 * none). https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry
 */
export interface EntryInput {
  readonly method: string;
  readonly permission: string;
  readonly resourceName: string;
  readonly request: Record<string, unknown>;
  readonly operation: { readonly name: string; readonly phase: 'first' | 'last' };
  readonly principal: string;
  readonly response?: Record<string, unknown>;
}

export function auditLogEntry(input: EntryInput): Record<string, unknown> {
  const [, project, , region, , instanceId] = input.resourceName.split('/');
  const now = new Date().toISOString();
  return {
    insertId: randomBytes(6).toString('hex'),
    logName: `projects/${project}/logs/cloudaudit.googleapis.com%2Factivity`,
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: {},
      authenticationInfo: { principalEmail: input.principal },
      requestMetadata: { callerIp: '127.0.0.1', callerSuppliedUserAgent: 'gl-node/22 gax/6 gapic/6 local-memorystore' },
      serviceName: 'redis.googleapis.com',
      methodName: `google.cloud.redis.v1.CloudRedis.${input.method}`,
      authorizationInfo: [{ resource: input.resourceName, permission: input.permission, granted: true }],
      resourceName: input.resourceName,
      request: { '@type': `type.googleapis.com/google.cloud.redis.v1.${input.method}Request`, ...input.request },
      ...(input.response ? { response: input.response } : {}),
    },
    resource: { type: 'redis_instance', labels: { project_id: project, region, instance_id: instanceId ?? '' } },
    timestamp: now,
    receiveTimestamp: now,
    severity: 'NOTICE',
    operation: { id: input.operation.name, producer: 'redis.googleapis.com', [input.operation.phase]: true },
  };
}
