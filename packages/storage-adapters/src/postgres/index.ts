export * from './createPostgresEntityStore.js';
export * from './createPostgresStore.js';
export { POSTGRES_ENTITY_SCHEMA_VERSION } from './entitySchema.js';
export { isConnectionError, mapPostgresError } from './mapPostgresError.js';
export { POSTGRES_SCHEMA_VERSION } from './schema.js';
