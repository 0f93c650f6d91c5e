export { startFakeMemorystore, type FakeMemorystore, type FakeMemorystoreOptions } from './fake-memorystore.js';
export type { FakeInstance } from './instance-store.js';
export { auditLogEntry, type AuditLogEntry, type EntryInput } from './audit-entry.js';
export { localProductClients, localRedisClient, localRedisSource } from './client.js';
export type { FakeValkey } from './valkey-service.js';
export type { FakeMemcached } from './memcached-service.js';
