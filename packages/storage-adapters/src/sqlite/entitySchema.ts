import { quoteIdent } from './schema.js';

/**
 * Schema of the SQLite entity store, versioned apart from the message table (its own `<table>_meta`). Bump
 * SQLITE_ENTITY_SCHEMA_VERSION and add a step to sqliteEntityMigrations for every change.
 */
export const SQLITE_ENTITY_SCHEMA_VERSION = 1;

/**
 * Migration steps: index i upgrades version i to i + 1. `sort_id` and `sort_partition` are entitySortKey of the id and
 * the partition: their BINARY order is the snowflake order, so paging is a range scan of an index.
 */
export function sqliteEntityMigrations(table: string): string[][] {
  const t = quoteIdent(table);
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${t} (
        kind TEXT NOT NULL,
        partition TEXT NOT NULL,
        id TEXT NOT NULL,
        sort_id TEXT NOT NULL,
        ref TEXT,
        sort_partition TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (kind, partition, id)
      ) WITHOUT ROWID`,
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_list`)} ON ${t} (kind, partition, sort_id)`,
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_by_id`)} ON ${t} (kind, id, sort_partition)`,
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_by_ref`)} ON ${t} (kind, ref, sort_partition, sort_id)
        WHERE ref IS NOT NULL`,
    ],
  ];
}
