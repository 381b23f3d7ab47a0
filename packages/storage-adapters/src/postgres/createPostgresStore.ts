import { createHash } from 'node:crypto';
import type pg from 'pg';
import { type CompressionOptions, createContentCodec } from '../compression/index.js';
import { DuplicateMessageError, MessageNotFoundError, StorageError, StoreClosedError } from '../errors/index.js';
import { bucketOfId, DEFAULT_BUCKET_MS, parseId, validateBucketMs } from '../ids.js';
import { type BucketScan, bucketSpan, listMessages } from '../listWalk.js';
import type { BucketedStore, MessagePatch, NewMessage, StoredMessage } from '../MessageStore.js';
import type { ScanStats } from '../ScanStats.js';
import { dbId, dbMessageId, fromSqlRow, pickScan, SQL_COLUMNS, type SqlRowOut, toSqlValues } from '../sqlColumns.js';
import {
  checkBucketArgs,
  parseBulkIds,
  validateNewMessage,
  validatePatch,
  validateStoredMessage,
} from '../validation.js';
import { mapPostgresError } from './mapPostgresError.js';
import { openPostgresPool } from './openPostgresPool.js';
import { POSTGRES_SCHEMA_VERSION, postgresMigrations, quoteIdent } from './schema.js';

export interface PostgresStoreOptions extends CompressionOptions {
  /** A pool to use (the store does not end it). Otherwise one is created from `connectionString` / `poolConfig`. */
  pool?: pg.Pool;
  connectionString?: string;
  poolConfig?: pg.PoolConfig;
  /** Schema (default 'public'); created if missing. */
  schema?: string;
  /** Table (default 'messages'); its metadata lives in `<table>_meta`. */
  table?: string;
  /** Bucket span in ms (default 10 days). Fixed per table at creation; a different value is rejected. */
  bucketMs?: number;
  maxContentLength?: number;
  onScan?: (stats: ScanStats) => void;
  /** Errors of idle pooled connections (a restarted server); they are otherwise swallowed. */
  onPoolError?: (err: Error) => void;
  now?: () => number;
}

export interface PostgresMessageStore extends BucketedStore {
  readonly pool: pg.Pool;
  /** Schema-qualified, quoted table name (for inspection and tests). */
  readonly tableName: string;
}

type Q = { name: string; text: string };
type Val = string | number | boolean | Buffer | null | string[];

/**
 * The PostgreSQL store: one table keyed by (channel_id, bucket, message_id), named prepared statements over a pg Pool.
 * Every write is one statement, so a connection lost mid-call leaves the row either fully written or absent.
 */
export async function createPostgresStore(options: PostgresStoreOptions = {}): Promise<PostgresMessageStore> {
  const requestedBucketMs = validateBucketMs(options.bucketMs ?? DEFAULT_BUCKET_MS);
  const codec = createContentCodec(options);
  const validation = { maxContentLength: options.maxContentLength };
  const now = options.now ?? Date.now;
  const schema = options.schema ?? 'public';
  const table = options.table ?? 'messages';
  const t = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const meta = `${quoteIdent(schema)}.${quoteIdent(`${table}_meta`)}`;
  const { pool, ownsPool, release: releasePool } = openPostgresPool(options);

  // Prepared statement names are per connection: a pool shared by stores on different tables needs distinct names.
  const prefix = `cc${createHash('sha1').update(`${schema}.${table}`).digest('hex').slice(0, 10)}`;
  const q = (name: string, text: string): Q => ({ name: `${prefix}_${name}`, text });

  const run = async (query: Q | string, values: Val[] = []) => {
    try {
      return typeof query === 'string' ? await pool.query(query, values) : await pool.query({ ...query, values });
    } catch (err) {
      return mapPostgresError(err);
    }
  };

  let bucketMs: number;
  try {
    bucketMs = await bootstrap();
  } catch (err) {
    releasePool();
    if (ownsPool) await pool.end().catch(() => undefined);
    throw err;
  }

  async function bootstrap(): Promise<number> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      return mapPostgresError(err);
    }
    try {
      await client.query('BEGIN');
      // Two processes bootstrapping the same table at once would race on CREATE; serialize them.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`concord:${schema}.${table}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${meta} (key text PRIMARY KEY, value text NOT NULL)`);
      const read = async (key: string) =>
        (await client.query<{ value: string }>(`SELECT value FROM ${meta} WHERE key = $1`, [key])).rows[0]?.value;
      const write = (key: string, value: string) =>
        client.query(
          `INSERT INTO ${meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [key, value],
        );
      const version = Number((await read('schema_version')) ?? 0);
      if (version > POSTGRES_SCHEMA_VERSION) {
        throw new StorageError(
          'CORRUPT',
          `table ${t} has schema version ${version}, newer than this library (${POSTGRES_SCHEMA_VERSION})`,
        );
      }
      const steps = postgresMigrations(t);
      for (let v = version; v < POSTGRES_SCHEMA_VERSION; v++) for (const sql of steps[v]!) await client.query(sql);
      await write('schema_version', String(POSTGRES_SCHEMA_VERSION));
      const stored = await read('bucket_ms');
      let result = requestedBucketMs;
      if (stored === undefined) await write('bucket_ms', String(requestedBucketMs));
      else if (options.bucketMs !== undefined && Number(stored) !== requestedBucketMs) {
        throw new StorageError(
          'INVALID_ARGUMENT',
          `table ${t} was created with bucketMs ${stored}; opening it with ${requestedBucketMs} would lose rows`,
        );
      } else result = Number(stored);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      return mapPostgresError(err);
    } finally {
      client.release();
    }
  }

  const cols = SQL_COLUMNS.join(', ');
  const placeholders = SQL_COLUMNS.map((c, i) => (c === 'extra' ? `$${i + 1}::jsonb` : `$${i + 1}`)).join(', ');
  const pk = 'channel_id = $1 AND bucket = $2 AND message_id = $3';
  const scanSql = (desc: boolean, live: boolean) =>
    `SELECT ${cols} FROM ${t} WHERE channel_id = $1 AND bucket ${desc ? '<=' : '>='} $2 AND bucket ${desc ? '>=' : '<='} $3
     AND message_id ${desc ? '<=' : '>='} $4 AND message_id ${desc ? '>=' : '<='} $5 ${live ? 'AND NOT deleted' : ''}
     ORDER BY bucket ${desc ? 'DESC' : 'ASC'}, message_id ${desc ? 'DESC' : 'ASC'} LIMIT $6`;
  const stmt = {
    insert: q('insert', `INSERT INTO ${t} (${cols}) VALUES (${placeholders})`),
    upsert: q(
      'upsert',
      `INSERT INTO ${t} (${cols}) VALUES (${placeholders}) ON CONFLICT (channel_id, bucket, message_id) DO UPDATE SET ${SQL_COLUMNS.slice(
        3,
      )
        .map((c) => `${c} = excluded.${c}`)
        .join(', ')}`,
    ),
    get: q('get', `SELECT ${cols} FROM ${t} WHERE ${pk}`),
    tombstone: q(
      'tombstone',
      `UPDATE ${t} SET content = '', content_z = NULL, enc = 0, extra = NULL, pinned = false, deleted = true
       WHERE ${pk} AND NOT deleted`,
    ),
    bulkTombstone: q(
      'bulk_tombstone',
      `UPDATE ${t} SET content = '', content_z = NULL, enc = 0, extra = NULL, pinned = false, deleted = true
       WHERE channel_id = $1 AND (bucket, message_id) IN (SELECT * FROM unnest($2::bigint[], $3::bigint[])) AND NOT deleted`,
    ),
    scanDesc: q('scan_desc', scanSql(true, false)),
    scanDescLive: q('scan_desc_live', scanSql(true, true)),
    scanAsc: q('scan_asc', scanSql(false, false)),
    scanAscLive: q('scan_asc_live', scanSql(false, true)),
    bucketAll: q(
      'bucket_all',
      `SELECT ${cols} FROM ${t} WHERE channel_id = $1 AND bucket = $2 ORDER BY message_id ASC LIMIT $3`,
    ),
    bucketAfter: q(
      'bucket_after',
      `SELECT ${cols} FROM ${t} WHERE channel_id = $1 AND bucket = $2 AND message_id > $3 ORDER BY message_id ASC LIMIT $4`,
    ),
    bounds: q(
      'bounds',
      `SELECT (SELECT bucket FROM ${t} WHERE channel_id = $1 ORDER BY bucket ASC LIMIT 1) AS first,
              (SELECT bucket FROM ${t} WHERE channel_id = $1 ORDER BY bucket DESC LIMIT 1) AS last`,
    ),
  };
  const editStatements = new Map<number, Q>();

  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError();
  };
  const big = (b: bigint) => b.toString();
  const bool = (b: boolean) => b;
  const rowValues = (m: StoredMessage): Val[] => toSqlValues(m, bucketMs, codec, big, bool);
  const keyValues = (channelId: string, id: bigint): Val[] => [
    dbId(channelId).toString(),
    bucketOfId(id, bucketMs),
    dbMessageId(id).toString(),
  ];
  const decode = (row: unknown) => fromSqlRow(row as SqlRowOut, codec);

  const scan = async (s: BucketScan): Promise<StoredMessage[]> => {
    const desc = s.direction === 'desc';
    const st = pickScan(stmt, s);
    const [first, second] = desc ? [s.hi, s.lo] : [s.lo, s.hi];
    const res = await run(st, [
      dbId(s.channelId).toString(),
      s.fromBucket,
      s.toBucket,
      dbMessageId(first).toString(),
      dbMessageId(second).toString(),
      s.limit,
    ]);
    const out = res.rows.map(decode);
    options.onScan?.({ buckets: bucketSpan(out, bucketMs), rows: out.length });
    return out;
  };
  const source = { bucketMs, scan };

  /** One UPDATE per combination of patched fields, so an edit is atomic without a transaction. */
  const editStatement = (patch: MessagePatch, setEditedAt: boolean): Q => {
    const fields: string[] = [];
    let mask = 0;
    if (patch.content !== undefined) mask |= 1;
    if (patch.flags !== undefined) mask |= 2;
    if (patch.extra !== undefined) mask |= 4;
    if (patch.pinned !== undefined) mask |= 8;
    if (setEditedAt) mask |= 16;
    let st = editStatements.get(mask);
    if (st) return st;
    let n = 4;
    if (mask & 1) fields.push(`content = $${n++}, content_z = $${n++}, enc = $${n++}`);
    if (mask & 2) fields.push(`flags = $${n++}`);
    if (mask & 4) fields.push(`extra = $${n++}::jsonb`);
    if (mask & 8) fields.push(`pinned = $${n++}`);
    if (mask & 16) fields.push(`edited_at = $${n++}`);
    if (fields.length === 0) fields.push('deleted = deleted');
    st = q(`edit_${mask}`, `UPDATE ${t} SET ${fields.join(', ')} WHERE ${pk} AND NOT deleted RETURNING ${cols}`);
    editStatements.set(mask, st);
    return st;
  };

  return {
    bucketMs,
    pool,
    tableName: t,

    async create(message: NewMessage) {
      open();
      const row = validateNewMessage(message, validation);
      try {
        await pool.query({ ...stmt.insert, values: rowValues(row) });
      } catch (err) {
        if ((err as { code?: unknown }).code === '23505')
          throw new DuplicateMessageError(row.channelId, row.id, { cause: err });
        mapPostgresError(err);
      }
      return row;
    },

    async get(channelId, messageId) {
      open();
      parseId(channelId, 'channelId');
      const res = await run(stmt.get, keyValues(channelId, parseId(messageId, 'messageId')));
      return res.rows[0] ? decode(res.rows[0]) : null;
    },

    async edit(channelId, messageId, patch) {
      open();
      parseId(channelId, 'channelId');
      const id = parseId(messageId, 'messageId');
      const valid = validatePatch(patch, validation);
      const edited = valid.content !== undefined || valid.flags !== undefined || valid.extra !== undefined;
      const editedAt = valid.editedAt ?? (edited ? now() : undefined);
      const values = keyValues(channelId, id);
      if (valid.content !== undefined) {
        const c = codec.encode(valid.content);
        values.push(c.text, c.bytes, c.enc);
      }
      if (valid.flags !== undefined) values.push(valid.flags);
      if (valid.extra !== undefined) values.push(valid.extra === null ? null : JSON.stringify(valid.extra));
      if (valid.pinned !== undefined) values.push(valid.pinned);
      if (editedAt !== undefined) values.push(editedAt);
      const res = await run(editStatement(valid, editedAt !== undefined), values);
      if (!res.rows[0]) throw new MessageNotFoundError(channelId, messageId);
      return decode(res.rows[0]);
    },

    async delete(channelId, messageId) {
      open();
      parseId(channelId, 'channelId');
      const res = await run(stmt.tombstone, keyValues(channelId, parseId(messageId, 'messageId')));
      return (res.rowCount ?? 0) > 0;
    },

    async bulkDelete(channelId, messageIds) {
      open();
      parseId(channelId, 'channelId');
      const ids = parseBulkIds(messageIds).map((m) => BigInt(m));
      if (ids.length === 0) return 0;
      const res = await run(stmt.bulkTombstone, [
        dbId(channelId).toString(),
        ids.map((id) => String(bucketOfId(id, bucketMs))),
        ids.map((id) => dbMessageId(id).toString()),
      ]);
      return res.rowCount ?? 0;
    },

    async list(channelId, query) {
      open();
      parseId(channelId, 'channelId');
      return listMessages(source, channelId, query);
    },

    async listBucket(channelId, bucket, opts = {}) {
      open();
      parseId(channelId, 'channelId');
      checkBucketArgs(bucket, opts?.limit);
      const limit = opts.limit ?? null;
      const res =
        opts.afterId === undefined
          ? await run(stmt.bucketAll, [dbId(channelId).toString(), bucket, limit])
          : await run(stmt.bucketAfter, [
              dbId(channelId).toString(),
              bucket,
              dbMessageId(parseId(opts.afterId, 'afterId')).toString(),
              limit,
            ]);
      return res.rows.map(decode);
    },

    async channelBuckets(channelId) {
      open();
      parseId(channelId, 'channelId');
      const res = await run(stmt.bounds, [dbId(channelId).toString()]);
      const r = res.rows[0] as { first: string | null; last: string | null } | undefined;
      return !r || r.first === null || r.last === null ? null : { first: Number(r.first), last: Number(r.last) };
    },

    async putRaw(message) {
      open();
      const row = validateStoredMessage(message, validation);
      await run(stmt.upsert, rowValues(row));
    },

    async close() {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
      releasePool();
    },
  };
}
