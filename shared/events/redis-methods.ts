/**
 * The Memorystore for Redis admin methods, as they appear in `protoPayload.methodName` of Admin Activity audit logs.
 * https://cloud.google.com/memorystore/docs/redis/audit-logs
 */
// A method name is a protobuf identifier; the longest of CloudRedis is well under 64 characters, so a longer one is not ours.
const METHOD = /^google\.cloud\.redis\.(v1|v1beta1)\.CloudRedis\.([A-Za-z]{1,64})$/;

/** Methods that change, or may change, an instance's existence or endpoints. */
const CHANGING = new Set(['CreateInstance', 'UpdateInstance', 'DeleteInstance', 'FailoverInstance', 'UpgradeInstance', 'ImportInstance']);

export type MethodKind = { kind: 'changes'; method: string } | { kind: 'no-change'; method: string } | { kind: 'unknown' };

export function classifyMethod(methodName: string): MethodKind {
  const match = METHOD.exec(methodName);
  if (!match?.[2]) return { kind: 'unknown' };
  return CHANGING.has(match[2]) ? { kind: 'changes', method: match[2] } : { kind: 'no-change', method: match[2] };
}

export const REDIS_SERVICE_NAME = 'redis.googleapis.com';
