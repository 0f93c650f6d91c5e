import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';

export type Call = ServerUnaryCall<Record<string, unknown>, unknown>;
export type Done = sendUnaryData<unknown>;

export const fail = (done: Done, code: status, details: string): void => done({ code, details });
export const text = (value: unknown): string => (typeof value === 'string' ? value : '');
export const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' ? (value as Record<string, unknown>) : {};

/**
 * Looks up the instance a request names (`name`, or `instance.name` for an update) in `store`, as the services
 * answer: PERMISSION_DENIED outside the projects served (Google does not say whether it exists), NOT_FOUND inside them.
 */
export function withInstance<T>(
  store: ReadonlyMap<string, T>,
  projects: readonly string[],
  call: Call,
  done: Done,
  action: (instance: T) => void,
): void {
  const name = text(call.request['name']) || text(record(call.request['instance'])['name']);
  const instance = store.get(name);
  if (!inProjects(projects, name))
    return fail(done, status.PERMISSION_DENIED, `Permission denied on resource '${name}' (or it may not exist)`);
  if (!instance) return fail(done, status.NOT_FOUND, `Resource '${name}' was not found`);
  action(instance);
}

/** Whether a name (`projects/P/...`) is in one of the projects served. */
export const inProjects = (projects: readonly string[], name: string): boolean =>
  projects.some((project) => name.startsWith(`projects/${project}/`));

/** The field-mask paths of an update request, in proto-loader's camelCase form. */
export function maskPaths(request: Record<string, unknown>): string[] {
  const paths = record(request['updateMask'])['paths'];
  return Array.isArray(paths)
    ? paths.map((p) => String(p).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()))
    : [];
}
