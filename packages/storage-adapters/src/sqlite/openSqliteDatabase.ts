import type Database from 'better-sqlite3';
import { requireOptional } from '../optionalDependency.js';

/** better-sqlite3's constructor, loaded on first use: an absent driver is a MissingDependencyError naming it. */
export function loadBetterSqlite3(): typeof Database {
  return requireOptional<typeof Database>('better-sqlite3', 'The SQLite stores of @concord/storage-adapters');
}

/**
 * The caller's database, or a new one on `filename` (default `:memory:`) set up as every SQLite store here wants it:
 * WAL (readers never wait for the writer), NORMAL sync (durable at checkpoints, safe under WAL), and a 5 s busy
 * timeout for a file shared by several connections. A caller's database is used as it is configured.
 */
export function openSqliteDatabase(options: { database?: Database.Database; filename?: string }): {
  db: Database.Database;
  ownsDb: boolean;
} {
  if (options.database) return { db: options.database, ownsDb: false };
  const BetterSqlite3 = loadBetterSqlite3();
  const db = new BetterSqlite3(options.filename ?? ':memory:');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return { db, ownsDb: true };
}
