/** Ports our field manager applied, read from managedFields (`f:spec.f:ports.k:{"port":N,"protocol":"TCP"}`). */
type ManagedFieldsEntry = {
  manager?: string;
  operation?: string;
  fieldsV1?: Record<string, Record<string, Record<string, unknown>>>;
};

export function ownedPortNumbers(managedFields: unknown, manager: string): Set<number> {
  const entries = (Array.isArray(managedFields) ? managedFields : []) as ManagedFieldsEntry[];
  const ours = entries.filter((e) => e.manager === manager && e.operation === 'Apply');
  const keys = ours.flatMap((e) => Object.keys(e.fieldsV1?.['f:spec']?.['f:ports'] ?? {}));
  return new Set(keys.map(portOfKey).filter((p): p is number => p !== undefined));
}

function portOfKey(key: string): number | undefined {
  const match = /^k:(\{.*\})$/.exec(key);
  const port = match?.[1] ? (JSON.parse(match[1]) as { port?: unknown }).port : undefined;
  return typeof port === 'number' ? port : undefined;
}
