// `@concord/storage-adapters/entities`: the EntityStore contract (records of the community model: guilds, channels,
// roles, members…), its in-memory implementation and the id order every adapter sorts by. The SQLite and PostgreSQL
// implementations are in `/sqlite` and `/postgres`, the conformance suite in `/conformance`.
export { compareEntityIds } from './compareEntityIds.js';
export { createInMemoryEntityStore } from './createInMemoryEntityStore.js';
export * from './EntityStore.js';
