import { InvalidArgumentError } from '../errors/index.js';

/** Schema of the PostgreSQL adapter. Bump POSTGRES_SCHEMA_VERSION and add a step to postgresMigrations per change. */
export const POSTGRES_SCHEMA_VERSION = 1;

export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new InvalidArgumentError(`invalid SQL identifier ${JSON.stringify(name)} (letters, digits, _; at most 63)`);
  }
  return `"${name}"`;
}

/** Migration steps: index i upgrades version i to i + 1. `t` is the quoted, schema-qualified table. */
export function postgresMigrations(t: string): string[][] {
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${t} (
        channel_id bigint NOT NULL,
        bucket bigint NOT NULL,
        message_id bigint NOT NULL,
        guild_id bigint,
        author_id bigint NOT NULL,
        content text NOT NULL,
        content_z bytea,
        enc smallint NOT NULL DEFAULT 0,
        type smallint NOT NULL,
        flags bigint NOT NULL,
        edited_at bigint,
        deleted boolean NOT NULL DEFAULT false,
        pinned boolean NOT NULL DEFAULT false,
        extra jsonb,
        PRIMARY KEY (channel_id, bucket, message_id)
      )`,
    ],
  ];
}
