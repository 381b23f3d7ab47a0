import type Database from 'better-sqlite3';
import { type CompressionOptions, createContentCodec } from '../compression/index.js';
import { DuplicateMessageError, MessageNotFoundError, StorageError, StoreClosedError } from '../errors/index.js';
import { bucketOfId, DEFAULT_BUCKET_MS, parseId, toSortable, validateBucketMs } from '../ids.js';
import { type BucketScan, bucketSpan, listMessages } from '../listWalk.js';
import type { BucketedStore, MessagePatch, NewMessage, StoredMessage } from '../MessageStore.js';
import type { ScanStats } from '../ScanStats.js';
import { dbId, dbMessageId, fromSqlRow, pickScan, SQL_COLUMNS, type SqlRowOut, toSqlValues } from '../sqlColumns.js';
import {
  applyPatch,
  checkBucketArgs,
  parseBulkIds,
  validateNewMessage,
  validatePatch,
  validateStoredMessage,
} from '../validation.js';
import { BOUND_LIMIT } from './boundLimit.js';
import { mapSqliteError } from './mapSqliteError.js';
import { openSqliteDatabase } from './openSqliteDatabase.js';
import { quoteIdent, SQLITE_SCHEMA_VERSION, sqliteMigrations } from './schema.js';

export interface SqliteStoreOptions extends CompressionOptions {
  /** Database file (default ':memory:'). Ignored when `database` is given. */
  filename?: string;
  /** An open better-sqlite3 database to use (the store does not close it). */
  database?: Database.Database;
  /** Table name (default 'messages'); its metadata lives in `<table>_meta`. */
  table?: string;
  /** Bucket span in ms (default 10 days). Fixed per table at creation; a different value is rejected. */
  bucketMs?: number;
  maxContentLength?: number;
  onScan?: (stats: ScanStats) => void;
  now?: () => number;
}

export interface SqliteMessageStore extends BucketedStore {
  /** The underlying database (for inspection and tests). */
  readonly database: Database.Database;
}

type Row = Record<(typeof SQL_COLUMNS)[number], unknown>;

function lastValueMemo<R>(fn: (key: string) => R): (key: string) => R {
  let lastKey: string | undefined;
  let lastValue: R;
  return (key) => {
    if (key !== lastKey) {
      lastValue = fn(key);
      lastKey = key;
    }
    return lastValue;
  };
}

/**
 * The embedded store: one SQLite file, WAL mode, prepared statements. better-sqlite3 is synchronous, so each call runs
 * to completion before the next starts: a read-modify-write (edit) needs no extra locking within one process.
 */
export function createSqliteStore(options: SqliteStoreOptions = {}): SqliteMessageStore {
  const requestedBucketMs = validateBucketMs(options.bucketMs ?? DEFAULT_BUCKET_MS);
  const codec = createContentCodec(options);
  const validation = { maxContentLength: options.maxContentLength };
  const now = options.now ?? Date.now;
  const { db, ownsDb } = openSqliteDatabase(options);
  const table = options.table ?? 'messages';
  const t = quoteIdent(table);
  const meta = quoteIdent(`${table}_meta`);

  const bucketMs = bootstrap();

  function bootstrap(): number {
    return db
      .transaction((): number => {
        db.exec(`CREATE TABLE IF NOT EXISTS ${meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
        const read = db.prepare<[string], { value: string }>(`SELECT value FROM ${meta} WHERE key = ?`);
        const write = db.prepare(`INSERT OR REPLACE INTO ${meta} (key, value) VALUES (?, ?)`);
        const version = Number(read.get('schema_version')?.value ?? 0);
        if (version > SQLITE_SCHEMA_VERSION) {
          throw new StorageError(
            'CORRUPT',
            `table ${table} has schema version ${version}, newer than this library (${SQLITE_SCHEMA_VERSION})`,
          );
        }
        const steps = sqliteMigrations(table);
        for (let v = version; v < SQLITE_SCHEMA_VERSION; v++) for (const sql of steps[v]!) db.exec(sql);
        write.run('schema_version', String(SQLITE_SCHEMA_VERSION));
        const stored = read.get('bucket_ms')?.value;
        if (stored === undefined) {
          write.run('bucket_ms', String(requestedBucketMs));
          return requestedBucketMs;
        }
        if (options.bucketMs !== undefined && Number(stored) !== requestedBucketMs) {
          throw new StorageError(
            'INVALID_ARGUMENT',
            `table ${table} was created with bucketMs ${stored}; opening it with ${requestedBucketMs} would lose rows`,
          );
        }
        return Number(stored);
      })
      .immediate();
  }

  const cols = SQL_COLUMNS.join(', ');
  const params = SQL_COLUMNS.map(() => '?').join(', ');
  const pk = 'channel_id = ? AND bucket = ? AND message_id = ?';
  const prepare = (sql: string) => db.prepare(sql).safeIntegers(true);
  const stmt = {
    // Written with run() only: without safeIntegers, run() does not allocate a bigint for lastInsertRowid.
    insert: db.prepare(`INSERT INTO ${t} (${cols}) VALUES (${params})`),
    upsert: prepare(
      `INSERT INTO ${t} (${cols}) VALUES (${params}) ON CONFLICT (channel_id, bucket, message_id) DO UPDATE SET ${SQL_COLUMNS.slice(
        3,
      )
        .map((c) => `${c} = excluded.${c}`)
        .join(', ')}`,
    ),
    get: prepare(`SELECT ${cols} FROM ${t} WHERE ${pk}`),
    update: prepare(
      `UPDATE ${t} SET content = ?, content_z = ?, enc = ?, flags = ?, edited_at = ?, pinned = ?, extra = ?
       WHERE ${pk} AND deleted = 0`,
    ),
    tombstone: prepare(
      `UPDATE ${t} SET content = '', content_z = NULL, enc = 0, extra = NULL, pinned = 0, deleted = 1 WHERE ${pk} AND deleted = 0`,
    ),
    scanDesc: prepare(
      `SELECT ${cols} FROM ${t} WHERE channel_id = ? AND bucket <= ? AND bucket >= ? AND message_id <= ? AND message_id >= ?
       ORDER BY bucket DESC, message_id DESC ${BOUND_LIMIT}`,
    ),
    scanDescLive: prepare(
      `SELECT ${cols} FROM ${t} WHERE channel_id = ? AND bucket <= ? AND bucket >= ? AND message_id <= ? AND message_id >= ?
       AND deleted = 0 ORDER BY bucket DESC, message_id DESC ${BOUND_LIMIT}`,
    ),
    scanAsc: prepare(
      `SELECT ${cols} FROM ${t} WHERE channel_id = ? AND bucket >= ? AND bucket <= ? AND message_id >= ? AND message_id <= ?
       ORDER BY bucket ASC, message_id ASC ${BOUND_LIMIT}`,
    ),
    scanAscLive: prepare(
      `SELECT ${cols} FROM ${t} WHERE channel_id = ? AND bucket >= ? AND bucket <= ? AND message_id >= ? AND message_id <= ?
       AND deleted = 0 ORDER BY bucket ASC, message_id ASC ${BOUND_LIMIT}`,
    ),
    bucket: prepare(
      `SELECT ${cols} FROM ${t} WHERE channel_id = ? AND bucket = ? AND message_id > ? ORDER BY message_id ASC ${BOUND_LIMIT}`,
    ),
    bucketAll: prepare(
      `SELECT ${cols} FROM ${t} WHERE channel_id = ? AND bucket = ? ORDER BY message_id ASC ${BOUND_LIMIT}`,
    ),
    bounds: prepare(
      `SELECT (SELECT bucket FROM ${t} WHERE channel_id = @c ORDER BY bucket ASC LIMIT 1) AS first,
              (SELECT bucket FROM ${t} WHERE channel_id = @c ORDER BY bucket DESC LIMIT 1) AS last`,
    ),
  };

  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError();
  };
  const big = (b: bigint) => b;
  const bool = (b: boolean) => (b ? 1 : 0);
  const values = (m: StoredMessage) => toSqlValues(m, bucketMs, codec, big, bool);
  const plain = codec.mode === 'none';
  // Consecutive messages mostly share channel, guild and often author: reuse the last conversion of each.
  const channelDbId = lastValueMemo(dbId);
  const guildDbId = lastValueMemo(dbId);
  const authorDbId = lastValueMemo(dbId);
  // Arguments bound one by one: better-sqlite3 binds a spread or an array measurably slower than a plain call.
  const insertRow = (m: StoredMessage): void => {
    const id = BigInt(m.id);
    const content = plain ? null : codec.encode(m.content);
    stmt.insert.run(
      channelDbId(m.channelId),
      bucketOfId(id, bucketMs),
      toSortable(id),
      m.guildId === null ? null : guildDbId(m.guildId),
      authorDbId(m.authorId),
      content === null ? m.content : content.text,
      content === null ? null : content.bytes,
      content === null ? 0 : content.enc,
      m.type,
      m.flags,
      null,
      0,
      m.pinned ? 1 : 0,
      m.extra === null ? null : JSON.stringify(m.extra),
    );
  };
  const key = (channelId: string, id: bigint) => [dbId(channelId), bucketOfId(id, bucketMs), dbMessageId(id)];
  const decode = (row: Row) => fromSqlRow(row as unknown as SqlRowOut, codec);
  const readRow = (channelId: string, id: bigint): StoredMessage | null => {
    const row = stmt.get.get(...key(channelId, id)) as Row | undefined;
    return row ? decode(row) : null;
  };

  const scan = async (s: BucketScan): Promise<StoredMessage[]> => {
    const desc = s.direction === 'desc';
    const st = pickScan(stmt, s);
    const rows = desc
      ? st.all(dbId(s.channelId), s.fromBucket, s.toBucket, dbMessageId(s.hi), dbMessageId(s.lo), s.limit)
      : st.all(dbId(s.channelId), s.fromBucket, s.toBucket, dbMessageId(s.lo), dbMessageId(s.hi), s.limit);
    const out = (rows as Row[]).map(decode);
    options.onScan?.({ buckets: bucketSpan(out, bucketMs), rows: out.length });
    return out;
  };
  const source = { bucketMs, scan };

  const bulkTombstone = db.transaction((channelId: string, ids: string[]) => {
    let count = 0;
    for (const id of ids) count += stmt.tombstone.run(...key(channelId, BigInt(id))).changes;
    return count;
  });

  // better-sqlite3 is synchronous: run the whole operation in one turn, behind a single async boundary.
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    async (...args: A): Promise<Awaited<R>> => {
      open();
      try {
        return await fn(...args);
      } catch (err) {
        return mapSqliteError(err);
      }
    };

  return {
    bucketMs,
    database: db,

    // The hot path of a chat backend, written out rather than going through guard/values: no rest-argument closure, no
    // await of a synchronous result, one BigInt per id (measured: bench/tools/prof-sqlite-insert.ts).
    async create(message: NewMessage) {
      open();
      const row = validateNewMessage(message, validation);
      try {
        insertRow(row);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new DuplicateMessageError(row.channelId, row.id, { cause: err });
        }
        return mapSqliteError(err);
      }
      return row;
    },

    get: guard((channelId: string, messageId: string) => {
      parseId(channelId, 'channelId');
      return readRow(channelId, parseId(messageId, 'messageId'));
    }),

    edit: guard((channelId: string, messageId: string, patch: MessagePatch) => {
      parseId(channelId, 'channelId');
      const id = parseId(messageId, 'messageId');
      const valid = validatePatch(patch, validation);
      const row = readRow(channelId, id);
      if (!row || row.deleted) throw new MessageNotFoundError(channelId, messageId);
      const next = applyPatch(row, valid, now());
      const v = values(next);
      // content, content_z, enc, flags, edited_at, pinned, extra, then the key.
      stmt.update.run(v[5], v[6], v[7], v[9], v[10], v[12], v[13], v[0], v[1], v[2]);
      return next;
    }),

    delete: guard((channelId: string, messageId: string) => {
      parseId(channelId, 'channelId');
      const id = parseId(messageId, 'messageId');
      return stmt.tombstone.run(...key(channelId, id)).changes > 0;
    }),

    bulkDelete: guard((channelId: string, messageIds: string[]) => {
      parseId(channelId, 'channelId');
      return bulkTombstone(channelId, parseBulkIds(messageIds));
    }),

    list: guard(async (channelId: string, query?) => {
      parseId(channelId, 'channelId');
      return listMessages(source, channelId, query);
    }),

    listBucket: guard((channelId: string, bucket: number, opts: { afterId?: string; limit?: number } = {}) => {
      parseId(channelId, 'channelId');
      checkBucketArgs(bucket, opts?.limit);
      const limit = opts.limit ?? -1;
      const rows = (
        opts.afterId === undefined
          ? stmt.bucketAll.all(dbId(channelId), bucket, limit)
          : stmt.bucket.all(dbId(channelId), bucket, dbMessageId(parseId(opts.afterId, 'afterId')), limit)
      ) as Row[];
      return rows.map(decode);
    }),

    channelBuckets: guard((channelId: string) => {
      parseId(channelId, 'channelId');
      const r = stmt.bounds.get({ c: dbId(channelId) }) as { first: bigint | null; last: bigint | null };
      return r.first === null || r.last === null ? null : { first: Number(r.first), last: Number(r.last) };
    }),

    putRaw: guard((message: StoredMessage) => {
      const row = validateStoredMessage(message, validation);
      stmt.upsert.run(...values(row));
    }),

    async close() {
      if (closed) return;
      closed = true;
      if (ownsDb) db.close();
    },
  };
}
