import { InvalidArgumentError } from '../errors/index.js';

/** Schema of the SQLite adapter. Bump SQLITE_SCHEMA_VERSION and add a step to SQLITE_MIGRATIONS for every change. */
export const SQLITE_SCHEMA_VERSION = 1;

export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new InvalidArgumentError(`invalid SQL identifier ${JSON.stringify(name)} (letters, digits, _; at most 63)`);
  }
  return `"${name}"`;
}

/** Migration steps: index i upgrades version i to i + 1. */
export function sqliteMigrations(table: string): string[][] {
  const t = quoteIdent(table);
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${t} (
        channel_id INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        guild_id INTEGER,
        author_id INTEGER NOT NULL,
        content TEXT NOT NULL,
        content_z BLOB,
        enc INTEGER NOT NULL DEFAULT 0,
        type INTEGER NOT NULL,
        flags INTEGER NOT NULL,
        edited_at INTEGER,
        deleted INTEGER NOT NULL DEFAULT 0,
        pinned INTEGER NOT NULL DEFAULT 0,
        extra TEXT,
        PRIMARY KEY (channel_id, bucket, message_id)
      ) WITHOUT ROWID`,
    ],
  ];
}
