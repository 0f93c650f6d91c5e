export { startFakeMemorystore, type FakeMemorystore, type FakeMemorystoreOptions } from './fake-memorystore.js';
export type { FakeInstance } from './instance-store.js';
export { auditLogEntry, type AuditLogEntry, type EntryInput } from './audit-entry.js';
export { localRedisClient } from './client.js';
