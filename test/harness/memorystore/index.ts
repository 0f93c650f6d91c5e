export { startFakeMemorystore, type FakeMemorystore, type FakeMemorystoreOptions } from './fake-memorystore.js';
export type { FakeInstance } from './instance-store.js';
