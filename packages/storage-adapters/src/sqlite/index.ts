export * from './createSqliteEntityStore.js';
export * from './createSqliteStore.js';
export { SQLITE_ENTITY_SCHEMA_VERSION } from './entitySchema.js';
export { SQLITE_SCHEMA_VERSION } from './schema.js';
