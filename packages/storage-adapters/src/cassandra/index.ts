export {
  type CassandraConsistency,
  type CassandraStore,
  type CassandraStoreOptions,
  type CassandraStoreStats,
  createCassandraStore,
} from './createCassandraStore.js';
export {
  type CassandraReplication,
  type CassandraSchemaOptions,
  cassandraSchema,
  ensureCassandraSchema,
} from './schema.js';
