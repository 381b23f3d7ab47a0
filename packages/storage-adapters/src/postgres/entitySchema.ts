/**
 * Schema of the PostgreSQL entity store, versioned apart from the message table (its own `<table>_meta`). Bump
 * POSTGRES_ENTITY_SCHEMA_VERSION and add a step to postgresEntityMigrations for every change.
 */
export const POSTGRES_ENTITY_SCHEMA_VERSION = 1;

/**
 * Migration steps: index i upgrades version i to i + 1. `t` is the quoted, schema-qualified table and `name(suffix)`
 * quotes an index name. `sort_id` and `sort_partition` are entitySortKey of the id and the partition, compared
 * COLLATE "C" (bytewise, whatever the database's collation), so that their order is the snowflake order.
 */
export function postgresEntityMigrations(t: string, name: (suffix: string) => string): string[][] {
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${t} (
        kind text NOT NULL,
        "partition" text NOT NULL,
        id text NOT NULL,
        sort_id text COLLATE "C" NOT NULL,
        ref text,
        sort_partition text COLLATE "C" NOT NULL,
        value jsonb NOT NULL,
        PRIMARY KEY (kind, "partition", id)
      )`,
      `CREATE INDEX IF NOT EXISTS ${name('list')} ON ${t} (kind, "partition", sort_id)`,
      `CREATE INDEX IF NOT EXISTS ${name('by_id')} ON ${t} (kind, id, sort_partition)`,
      `CREATE INDEX IF NOT EXISTS ${name('by_ref')} ON ${t} (kind, ref, sort_partition, sort_id) WHERE ref IS NOT NULL`,
    ],
  ];
}
