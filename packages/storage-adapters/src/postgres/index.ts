export * from './createPostgresStore.js';
export { isConnectionError, mapPostgresError } from './mapPostgresError.js';
export { POSTGRES_SCHEMA_VERSION } from './schema.js';
