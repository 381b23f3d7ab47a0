export * from './createSqliteStore.js';
export { SQLITE_SCHEMA_VERSION } from './schema.js';
