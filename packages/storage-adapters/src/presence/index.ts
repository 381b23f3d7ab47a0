// `@concord/storage-adapters/presence`: the PresenceStore interface and its in-memory implementation (the Redis one is
// in `/redis`). No other package of the suite uses it, so it stays out of the main entry.
export { createInMemoryPresenceStore, type InMemoryPresenceStoreOptions } from './createInMemoryPresenceStore.js';
export type { PresenceStore } from './PresenceStore.js';
