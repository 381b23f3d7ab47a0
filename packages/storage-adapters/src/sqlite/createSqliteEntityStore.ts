import type Database from 'better-sqlite3';
import type { EntityRecord, EntityStore, EntityUpdate } from '../entities/EntityStore.js';
import { entitySortKey } from '../entities/entitySortKey.js';
import {
  checkEntityIds,
  checkEntityKey,
  checkUpdateFn,
  decodeEntityValue,
  type ParsedEntityWrite,
  parseEntityListQuery,
  parseEntityUpdate,
  parseEntityWrites,
} from '../entities/entityValidation.js';
import { StorageError, StoreClosedError } from '../errors/index.js';
import { BOUND_LIMIT } from './boundLimit.js';
import { SQLITE_ENTITY_SCHEMA_VERSION, sqliteEntityMigrations } from './entitySchema.js';
import { mapSqliteError } from './mapSqliteError.js';
import { openSqliteDatabase } from './openSqliteDatabase.js';
import { quoteIdent } from './schema.js';

export interface SqliteEntityStoreOptions {
  /** Database file (default ':memory:'). Ignored when `database` is given. */
  filename?: string;
  /** An open better-sqlite3 database to use (the store does not close it); may be the message store's. */
  database?: Database.Database;
  /** Table name (default 'concord_entities'); its metadata lives in `<table>_meta`. */
  table?: string;
}

export interface SqliteEntityStore extends EntityStore {
  /** The underlying database (for inspection and tests). */
  readonly database: Database.Database;
}

interface Row {
  partition: string;
  id: string;
  ref: string | null;
  value: string;
}

type UpdateFn = (current: unknown) => EntityUpdate<unknown>;

/**
 * The embedded entity store: one table in a SQLite file, prepared statements. better-sqlite3 is synchronous, so a
 * `write` or an `update` runs start to end in one turn of the event loop; they also run as BEGIN IMMEDIATE transactions,
 * which take the write lock before reading, so another connection to the same file cannot interleave either.
 */
export function createSqliteEntityStore(options: SqliteEntityStoreOptions = {}): SqliteEntityStore {
  const { db, ownsDb } = openSqliteDatabase(options);
  const table = options.table ?? 'concord_entities';
  const t = quoteIdent(table);
  const meta = quoteIdent(`${table}_meta`);

  try {
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS ${meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      const read = db.prepare<[string], { value: string }>(`SELECT value FROM ${meta} WHERE key = ?`);
      const version = Number(read.get('schema_version')?.value ?? 0);
      if (version > SQLITE_ENTITY_SCHEMA_VERSION) {
        throw new StorageError(
          'CORRUPT',
          `table ${table} has schema version ${version}, newer than this library (${SQLITE_ENTITY_SCHEMA_VERSION})`,
        );
      }
      const steps = sqliteEntityMigrations(table);
      for (let v = version; v < SQLITE_ENTITY_SCHEMA_VERSION; v++) for (const sql of steps[v]!) db.exec(sql);
      db.prepare(`INSERT OR REPLACE INTO ${meta} (key, value) VALUES ('schema_version', ?)`).run(
        String(SQLITE_ENTITY_SCHEMA_VERSION),
      );
    }).immediate();
  } catch (err) {
    if (ownsDb) db.close();
    throw err;
  }

  // "partition" is quoted everywhere: it is a keyword (of window functions) in SQLite's grammar.
  const cols = `"partition", id, ref, value`;
  const inPartition = `kind = ? AND "partition" = ?`;
  const stmt = {
    get: db.prepare(`SELECT ${cols} FROM ${t} WHERE ${inPartition} AND id = ?`),
    // One JSON array parameter rather than one placeholder per id: no limit on how many ids a call may ask for.
    getMany: db.prepare(`SELECT ${cols} FROM ${t} WHERE ${inPartition} AND id IN (SELECT value FROM json_each(?))`),
    find: db.prepare(`SELECT ${cols} FROM ${t} WHERE kind = ? AND id = ? ORDER BY sort_partition LIMIT 1`),
    listFirst: db.prepare(`SELECT ${cols} FROM ${t} WHERE ${inPartition} ORDER BY sort_id ${BOUND_LIMIT}`),
    listAfter: db.prepare(
      `SELECT ${cols} FROM ${t} WHERE ${inPartition} AND sort_id > ? ORDER BY sort_id ${BOUND_LIMIT}`,
    ),
    listBefore: db.prepare(
      `SELECT ${cols} FROM ${t} WHERE ${inPartition} AND sort_id < ? ORDER BY sort_id DESC ${BOUND_LIMIT}`,
    ),
    refFirst: db.prepare(
      `SELECT ${cols} FROM ${t} WHERE kind = ? AND ref = ? ORDER BY sort_partition, sort_id ${BOUND_LIMIT}`,
    ),
    refAfter: db.prepare(
      `SELECT ${cols} FROM ${t} WHERE kind = ? AND ref = ? AND sort_partition > ? ORDER BY sort_partition, sort_id ${BOUND_LIMIT}`,
    ),
    refBefore: db.prepare(
      `SELECT ${cols} FROM ${t} WHERE kind = ? AND ref = ? AND sort_partition < ?
       ORDER BY sort_partition DESC, sort_id DESC ${BOUND_LIMIT}`,
    ),
    // The partitions alone: `(kind, ref, sort_partition, sort_id)` plus the key's columns is the whole `by_ref` index
    // entry, so these read the index and never the table (nor decode a value).
    partitionsFirst: db
      .prepare(
        `SELECT "partition" FROM ${t} WHERE kind = ? AND ref = ? ORDER BY sort_partition, sort_id ${BOUND_LIMIT}`,
      )
      .pluck(),
    partitionsAfter: db
      .prepare(
        `SELECT "partition" FROM ${t} WHERE kind = ? AND ref = ? AND sort_partition > ? ORDER BY sort_partition, sort_id ${BOUND_LIMIT}`,
      )
      .pluck(),
    partitionsBefore: db
      .prepare(
        `SELECT "partition" FROM ${t} WHERE kind = ? AND ref = ? AND sort_partition < ?
         ORDER BY sort_partition DESC, sort_id DESC ${BOUND_LIMIT}`,
      )
      .pluck(),
    count: db.prepare(`SELECT count(*) AS n FROM ${t} WHERE ${inPartition}`),
    upsert: db.prepare(
      `INSERT INTO ${t} (kind, "partition", id, sort_id, ref, sort_partition, value) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, "partition", id) DO UPDATE SET ref = excluded.ref, value = excluded.value`,
    ),
    delete: db.prepare(`DELETE FROM ${t} WHERE ${inPartition} AND id = ?`),
    deletePartition: db.prepare(`DELETE FROM ${t} WHERE ${inPartition}`),
  };

  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError();
  };

  const decode = <T>(kind: string, row: Row): EntityRecord<T> => ({
    kind,
    partition: row.partition,
    id: row.id,
    ref: row.ref,
    value: decodeEntityValue<T>(row.value, `${kind}/${row.partition}/${row.id}`),
  });
  // A push loop, not `map`: map inlined by TurboFan makes a holey array where the builtin makes a packed one, so the
  // page a caller got changed shape once this tiered up and deoptimized the callers optimized for the other.
  const rows = (kind: string, found: unknown[]) => {
    const out: EntityRecord<unknown>[] = [];
    for (let i = 0; i < found.length; i++) out.push(decode(kind, found[i] as Row));
    return out;
  };

  const upsert = (kind: string, partition: string, id: string, ref: string | null, json: string) =>
    stmt.upsert.run(kind, partition, id, entitySortKey(id), ref, entitySortKey(partition), json);

  const apply = (w: ParsedEntityWrite) => {
    if (w.op === 'put') upsert(w.kind, w.partition, w.id, w.ref, w.json);
    else if (w.op === 'delete') stmt.delete.run(w.kind, w.partition, w.id);
    else stmt.deletePartition.run(w.kind, w.partition);
  };
  const writeAll = db.transaction((writes: ParsedEntityWrite[]) => {
    for (const w of writes) apply(w);
  });

  const updateOne = db.transaction((kind: string, partition: string, id: string, fn: UpdateFn): unknown => {
    const row = stmt.get.get(kind, partition, id) as Row | undefined;
    const current = row ? decode(kind, row) : null;
    const answer = parseEntityUpdate(fn(current?.value ?? null), current?.ref ?? null);
    if (answer.action === 'leave') return row ? decode(kind, row).value : null;
    if (answer.action === 'delete') {
      stmt.delete.run(kind, partition, id);
      return null;
    }
    upsert(kind, partition, id, answer.ref, answer.json);
    return decodeEntityValue(answer.json, `${kind}/${partition}/${id}`);
  });

  // better-sqlite3 is synchronous: run the whole operation in one turn, behind a single async boundary.
  const guard = async <R>(fn: () => R): Promise<R> => {
    open();
    try {
      return fn();
    } catch (err) {
      return mapSqliteError(err);
    }
  };

  return {
    database: db,

    get<T>(kind: string, partition: string, id: string) {
      return guard(() => {
        checkEntityKey(kind, 'kind');
        checkEntityKey(partition, 'partition');
        checkEntityKey(id, 'id');
        const row = stmt.get.get(kind, partition, id) as Row | undefined;
        return row ? decode<T>(kind, row).value : null;
      });
    },

    getMany<T>(kind: string, partition: string, ids: readonly string[]) {
      return guard(() => {
        checkEntityKey(kind, 'kind');
        checkEntityKey(partition, 'partition');
        const wanted = checkEntityIds(ids);
        if (wanted.length === 0) return [];
        const found = new Map<string, Row>();
        for (const row of stmt.getMany.all(kind, partition, JSON.stringify(wanted)) as Row[]) found.set(row.id, row);
        // Answered in the order asked, decoded per answer: a repeated id never shares its value object.
        return wanted.flatMap((id) => {
          const row = found.get(id);
          return row ? [decode<T>(kind, row)] : [];
        });
      });
    },

    find<T>(kind: string, id: string) {
      return guard(() => {
        checkEntityKey(kind, 'kind');
        checkEntityKey(id, 'id');
        const row = stmt.find.get(kind, id) as Row | undefined;
        return row ? decode<T>(kind, row) : null;
      });
    },

    list<T>(kind: string, partition: string, query?: Parameters<EntityStore['list']>[2]) {
      return guard(() => {
        checkEntityKey(kind, 'kind');
        checkEntityKey(partition, 'partition');
        const q = parseEntityListQuery(query);
        if (q.after !== undefined) {
          return rows(kind, stmt.listAfter.all(kind, partition, entitySortKey(q.after), q.limit)) as EntityRecord<T>[];
        }
        if (q.before !== undefined) {
          const page = stmt.listBefore.all(kind, partition, entitySortKey(q.before), q.limit);
          return rows(kind, page).reverse() as EntityRecord<T>[];
        }
        return rows(kind, stmt.listFirst.all(kind, partition, q.limit)) as EntityRecord<T>[];
      });
    },

    listByRef<T>(kind: string, ref: string, query?: Parameters<EntityStore['listByRef']>[2]) {
      return guard(() => {
        checkEntityKey(kind, 'kind');
        checkEntityKey(ref, 'ref');
        const q = parseEntityListQuery(query);
        if (q.after !== undefined) {
          return rows(kind, stmt.refAfter.all(kind, ref, entitySortKey(q.after), q.limit)) as EntityRecord<T>[];
        }
        if (q.before !== undefined) {
          const page = stmt.refBefore.all(kind, ref, entitySortKey(q.before), q.limit);
          return rows(kind, page).reverse() as EntityRecord<T>[];
        }
        return rows(kind, stmt.refFirst.all(kind, ref, q.limit)) as EntityRecord<T>[];
      });
    },

    partitionsByRef(kind: string, ref: string, query?: Parameters<EntityStore['listByRef']>[2]) {
      return guard(() => {
        checkEntityKey(kind, 'kind');
        checkEntityKey(ref, 'ref');
        const q = parseEntityListQuery(query);
        if (q.after !== undefined) {
          return stmt.partitionsAfter.all(kind, ref, entitySortKey(q.after), q.limit) as string[];
        }
        if (q.before !== undefined) {
          return (stmt.partitionsBefore.all(kind, ref, entitySortKey(q.before), q.limit) as string[]).reverse();
        }
        return stmt.partitionsFirst.all(kind, ref, q.limit) as string[];
      });
    },

    count(kind: string, partition: string) {
      return guard(() => {
        checkEntityKey(kind, 'kind');
        checkEntityKey(partition, 'partition');
        return (stmt.count.get(kind, partition) as { n: number }).n;
      });
    },

    write(writes) {
      return guard(() => {
        // Validated (and encoded) in full before the transaction starts; a failure inside it rolls everything back.
        const parsed = parseEntityWrites(writes);
        if (parsed.length > 0) writeAll.immediate(parsed);
      });
    },

    async update<T>(kind: string, partition: string, id: string, fn: (current: T | null) => EntityUpdate<T>) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      checkEntityKey(id, 'id');
      checkUpdateFn(fn);
      let failure: { error: unknown } | undefined;
      const run: UpdateFn = (current) => {
        try {
          return fn(current as T | null);
        } catch (error) {
          failure = { error };
          throw error;
        }
      };
      try {
        return updateOne.immediate(kind, partition, id, run) as T | null;
      } catch (err) {
        // The callback's own error is the caller's: passed through as it is (the transaction is rolled back).
        if (failure && err === failure.error) throw err;
        return mapSqliteError(err);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      if (ownsDb) db.close();
    },
  };
}
