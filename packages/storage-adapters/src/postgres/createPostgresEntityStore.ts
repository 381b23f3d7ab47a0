import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { EntityRecord, EntityStore, EntityUpdate } from '../entities/EntityStore.js';
import { entitySortKey } from '../entities/entitySortKey.js';
import {
  checkEntityIds,
  checkEntityKey,
  checkUpdateFn,
  type ParsedEntityWrite,
  parseEntityListQuery,
  parseEntityUpdate,
  parseEntityWrites,
} from '../entities/entityValidation.js';
import { StorageError, StoreClosedError } from '../errors/index.js';
import { POSTGRES_ENTITY_SCHEMA_VERSION, postgresEntityMigrations } from './entitySchema.js';
import { isConnectionError, mapPostgresError } from './mapPostgresError.js';
import { openPostgresPool } from './openPostgresPool.js';
import { quoteIdent } from './schema.js';

export interface PostgresEntityStoreOptions {
  /** A pool to use (the store does not end it). Otherwise one is created from `connectionString` / `poolConfig`. */
  pool?: pg.Pool;
  connectionString?: string;
  poolConfig?: pg.PoolConfig;
  /** Schema (default 'public'); created if missing. */
  schema?: string;
  /** Table (default 'concord_entities'); its metadata lives in `<table>_meta`. */
  table?: string;
  /** Errors of idle pooled connections (a restarted server); they are otherwise swallowed. */
  onPoolError?: (err: Error) => void;
}

export interface PostgresEntityStore extends EntityStore {
  readonly pool: pg.Pool;
  /** Schema-qualified, quoted table name (for inspection and tests). */
  readonly tableName: string;
}

type Q = { name: string; text: string };
type Row = { partition: string; id: string; ref: string | null; value: unknown };

/** Deadlock and serialization failure: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;
/** Inserts of an absent record that lost the race to another insert, before an update gives up (never seen in use). */
const MAX_INSERT_RACES = 100;

/**
 * The PostgreSQL entity store: one table, values as jsonb, named prepared statements over a pg Pool. `write` is one
 * transaction; `update` locks the row (SELECT … FOR UPDATE) and, for an absent row, inserts with ON CONFLICT DO NOTHING
 * and starts over when another update inserted it first, so concurrent updates never lose one another.
 */
export async function createPostgresEntityStore(
  options: PostgresEntityStoreOptions = {},
): Promise<PostgresEntityStore> {
  const schema = options.schema ?? 'public';
  const table = options.table ?? 'concord_entities';
  const t = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const meta = `${quoteIdent(schema)}.${quoteIdent(`${table}_meta`)}`;
  const { pool, ownsPool, release: releasePool } = openPostgresPool(options);

  /** Runs `body` in a READ COMMITTED transaction on one client (the level `update`'s locking relies on). */
  async function transaction<R>(body: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      return mapPostgresError(err);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      if (broken === undefined && err instanceof Error && isConnectionError(err)) broken = err;
      throw err;
    } finally {
      // A client whose connection failed (or that cannot even roll back) is discarded, not handed to the next caller.
      client.release(broken);
    }
  }

  try {
    await transaction(async (client) => {
      // Two processes bootstrapping the same table at once would race on CREATE; serialize them.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`concord:entities:${schema}.${table}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${meta} (key text PRIMARY KEY, value text NOT NULL)`);
      const res = await client.query<{ value: string }>(`SELECT value FROM ${meta} WHERE key = 'schema_version'`);
      const version = Number(res.rows[0]?.value ?? 0);
      if (version > POSTGRES_ENTITY_SCHEMA_VERSION) {
        throw new StorageError(
          'CORRUPT',
          `table ${t} has schema version ${version}, newer than this library (${POSTGRES_ENTITY_SCHEMA_VERSION})`,
        );
      }
      const steps = postgresEntityMigrations(t, (suffix) => quoteIdent(`${table}_${suffix}`));
      for (let v = version; v < POSTGRES_ENTITY_SCHEMA_VERSION; v++)
        for (const sql of steps[v]!) await client.query(sql);
      await client.query(
        `INSERT INTO ${meta} (key, value) VALUES ('schema_version', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(POSTGRES_ENTITY_SCHEMA_VERSION)],
      );
    });
  } catch (err) {
    releasePool();
    if (ownsPool) await pool.end().catch(() => undefined);
    return mapPostgresError(err);
  }

  // Prepared statement names are per connection: a pool shared by stores on different tables needs distinct names.
  const prefix = `ce${createHash('sha1').update(`${schema}.${table}`).digest('hex').slice(0, 10)}`;
  const q = (name: string, text: string): Q => ({ name: `${prefix}_${name}`, text });
  const cols = `"partition", id, ref, value`;
  const pk = `kind = $1 AND "partition" = $2 AND id = $3`;
  const inPartition = `kind = $1 AND "partition" = $2`;
  const byRef = `SELECT ${cols} FROM ${t} WHERE kind = $1 AND ref = $2`;
  const partitionsByRef = `SELECT "partition" FROM ${t} WHERE kind = $1 AND ref = $2`;
  const stmt = {
    get: q('get', `SELECT ${cols} FROM ${t} WHERE ${pk}`),
    getMany: q('get_many', `SELECT ${cols} FROM ${t} WHERE ${inPartition} AND id = ANY($3::text[])`),
    find: q('find', `SELECT ${cols} FROM ${t} WHERE kind = $1 AND id = $2 ORDER BY sort_partition LIMIT 1`),
    listFirst: q('list_first', `SELECT ${cols} FROM ${t} WHERE ${inPartition} ORDER BY sort_id LIMIT $3`),
    listAfter: q(
      'list_after',
      `SELECT ${cols} FROM ${t} WHERE ${inPartition} AND sort_id > $3 ORDER BY sort_id LIMIT $4`,
    ),
    listBefore: q(
      'list_before',
      `SELECT ${cols} FROM ${t} WHERE ${inPartition} AND sort_id < $3 ORDER BY sort_id DESC LIMIT $4`,
    ),
    refFirst: q('ref_first', `${byRef} ORDER BY sort_partition, sort_id LIMIT $3`),
    refAfter: q('ref_after', `${byRef} AND sort_partition > $3 ORDER BY sort_partition, sort_id LIMIT $4`),
    refBefore: q('ref_before', `${byRef} AND sort_partition < $3 ORDER BY sort_partition DESC, sort_id DESC LIMIT $4`),
    // The partitions alone: no value sent over the wire or decoded (the `by_ref` index does not hold the partition, so
    // the rows are still read).
    partitionsFirst: q('partitions_first', `${partitionsByRef} ORDER BY sort_partition, sort_id LIMIT $3`),
    partitionsAfter: q(
      'partitions_after',
      `${partitionsByRef} AND sort_partition > $3 ORDER BY sort_partition, sort_id LIMIT $4`,
    ),
    partitionsBefore: q(
      'partitions_before',
      `${partitionsByRef} AND sort_partition < $3 ORDER BY sort_partition DESC, sort_id DESC LIMIT $4`,
    ),
    count: q('count', `SELECT count(*)::int AS n FROM ${t} WHERE ${inPartition}`),
    upsert: q(
      'upsert',
      `INSERT INTO ${t} (kind, "partition", id, sort_id, ref, sort_partition, value)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
       ON CONFLICT (kind, "partition", id) DO UPDATE SET ref = excluded.ref, value = excluded.value`,
    ),
    insertNew: q(
      'insert_new',
      `INSERT INTO ${t} (kind, "partition", id, sort_id, ref, sort_partition, value)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (kind, "partition", id) DO NOTHING`,
    ),
    lock: q('lock', `SELECT ${cols} FROM ${t} WHERE ${pk} FOR UPDATE`),
    replace: q('replace', `UPDATE ${t} SET ref = $4, value = $5::jsonb WHERE ${pk}`),
    delete: q('delete', `DELETE FROM ${t} WHERE ${pk}`),
    deletePartition: q('delete_partition', `DELETE FROM ${t} WHERE ${inPartition}`),
  };

  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError();
  };

  const run = async <R extends pg.QueryResultRow = Row>(query: Q, values: unknown[]): Promise<R[]> => {
    try {
      return (await pool.query<R>({ ...query, values })).rows;
    } catch (err) {
      return mapPostgresError(err);
    }
  };
  // pg parses jsonb into a fresh object per row, so records handed out share nothing with each other or the store.
  const record = <T>(kind: string, row: Row): EntityRecord<T> => ({
    kind,
    partition: row.partition,
    id: row.id,
    ref: row.ref,
    value: row.value as T,
  });
  const records = <T>(kind: string, rows: Row[]) => rows.map((row) => record<T>(kind, row));
  const putValues = (kind: string, partition: string, id: string, ref: string | null, json: string) => [
    kind,
    partition,
    id,
    entitySortKey(id),
    ref,
    entitySortKey(partition),
    json,
  ];

  const apply = (client: pg.PoolClient, w: ParsedEntityWrite) => {
    if (w.op === 'put')
      return client.query({ ...stmt.upsert, values: putValues(w.kind, w.partition, w.id, w.ref, w.json) });
    if (w.op === 'delete') return client.query({ ...stmt.delete, values: [w.kind, w.partition, w.id] });
    return client.query({ ...stmt.deletePartition, values: [w.kind, w.partition] });
  };

  /** Read-modify-write under the row lock; `fn` already wraps the caller's callback. */
  const updateIn = async (
    client: pg.PoolClient,
    kind: string,
    partition: string,
    id: string,
    fn: (current: unknown) => EntityUpdate<unknown>,
  ): Promise<unknown> => {
    const key = [kind, partition, id];
    for (let race = 0; race < MAX_INSERT_RACES; race++) {
      const row = (await client.query<Row>({ ...stmt.lock, values: key })).rows[0];
      // The callback gets its own copy: whatever it does to it, `row.value` stays what is stored.
      const answer = parseEntityUpdate(fn(row ? structuredClone(row.value) : null), row?.ref ?? null);
      if (answer.action === 'leave') return row ? row.value : null;
      if (answer.action === 'delete') {
        if (row) await client.query({ ...stmt.delete, values: key });
        return null;
      }
      if (row) {
        await client.query({ ...stmt.replace, values: [...key, answer.ref, answer.json] });
        return JSON.parse(answer.json);
      }
      // Absent: insert unless another transaction did meanwhile (ON CONFLICT waits for it to commit). If one did, the
      // next SELECT … FOR UPDATE (a new snapshot under READ COMMITTED) sees its row and locks it.
      const inserted = await client.query({
        ...stmt.insertNew,
        values: putValues(kind, partition, id, answer.ref, answer.json),
      });
      if (inserted.rowCount === 1) return JSON.parse(answer.json);
    }
    throw new StorageError('UNAVAILABLE', `update of ${kind}/${partition}/${id} kept losing the race to insert it`);
  };

  return {
    pool,
    tableName: t,

    async get<T>(kind: string, partition: string, id: string) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      checkEntityKey(id, 'id');
      const [row] = await run(stmt.get, [kind, partition, id]);
      return row ? (row.value as T) : null;
    },

    async getMany<T>(kind: string, partition: string, ids: readonly string[]) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      const wanted = checkEntityIds(ids);
      if (wanted.length === 0) return [];
      const found = new Map<string, Row>();
      for (const row of await run(stmt.getMany, [kind, partition, [...new Set(wanted)]])) found.set(row.id, row);
      // Answered in the order asked; a repeated id gets its own copy, so no two answers share a value object.
      const used = new Set<string>();
      return wanted.flatMap((id) => {
        const row = found.get(id);
        if (!row) return [];
        const first = !used.has(id);
        used.add(id);
        return [record<T>(kind, first ? row : { ...row, value: structuredClone(row.value) })];
      });
    },

    async find<T>(kind: string, id: string) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(id, 'id');
      const [row] = await run(stmt.find, [kind, id]);
      return row ? record<T>(kind, row) : null;
    },

    async list<T>(kind: string, partition: string, query?: Parameters<EntityStore['list']>[2]) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      const p = parseEntityListQuery(query);
      if (p.after !== undefined) {
        return records<T>(kind, await run(stmt.listAfter, [kind, partition, entitySortKey(p.after), p.limit]));
      }
      if (p.before !== undefined) {
        const rows = await run(stmt.listBefore, [kind, partition, entitySortKey(p.before), p.limit]);
        return records<T>(kind, rows.reverse());
      }
      return records<T>(kind, await run(stmt.listFirst, [kind, partition, p.limit]));
    },

    async listByRef<T>(kind: string, ref: string, query?: Parameters<EntityStore['listByRef']>[2]) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(ref, 'ref');
      const p = parseEntityListQuery(query);
      if (p.after !== undefined) {
        return records<T>(kind, await run(stmt.refAfter, [kind, ref, entitySortKey(p.after), p.limit]));
      }
      if (p.before !== undefined) {
        const rows = await run(stmt.refBefore, [kind, ref, entitySortKey(p.before), p.limit]);
        return records<T>(kind, rows.reverse());
      }
      return records<T>(kind, await run(stmt.refFirst, [kind, ref, p.limit]));
    },

    async partitionsByRef(kind: string, ref: string, query?: Parameters<EntityStore['listByRef']>[2]) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(ref, 'ref');
      const p = parseEntityListQuery(query);
      type PartitionRow = { partition: string };
      const partitions = (rows: PartitionRow[]) => rows.map((r) => r.partition);
      if (p.after !== undefined) {
        return partitions(await run<PartitionRow>(stmt.partitionsAfter, [kind, ref, entitySortKey(p.after), p.limit]));
      }
      if (p.before !== undefined) {
        const rows = await run<PartitionRow>(stmt.partitionsBefore, [kind, ref, entitySortKey(p.before), p.limit]);
        return partitions(rows.reverse());
      }
      return partitions(await run<PartitionRow>(stmt.partitionsFirst, [kind, ref, p.limit]));
    },

    async count(kind: string, partition: string) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      const [row] = await run<{ n: number }>(stmt.count, [kind, partition]);
      return row?.n ?? 0;
    },

    async write(writes) {
      open();
      // Validated (and encoded) in full before the transaction starts; a failure inside it rolls everything back.
      const parsed = parseEntityWrites(writes);
      if (parsed.length === 0) return;
      for (let attempt = 1; ; attempt++) {
        try {
          await transaction(async (client) => {
            for (const w of parsed) await apply(client, w);
          });
          return;
        } catch (err) {
          // Two batches locking the same rows in opposite orders deadlock; PostgreSQL aborts one, which runs again.
          const code = (err as { code?: unknown }).code;
          if (attempt < MAX_ATTEMPTS && typeof code === 'string' && RETRYABLE.has(code)) continue;
          return mapPostgresError(err);
        }
      }
    },

    async update<T>(kind: string, partition: string, id: string, fn: (current: T | null) => EntityUpdate<T>) {
      open();
      checkEntityKey(kind, 'kind');
      checkEntityKey(partition, 'partition');
      checkEntityKey(id, 'id');
      checkUpdateFn(fn);
      let failure: { error: unknown } | undefined;
      const callback = (current: unknown) => {
        try {
          return fn(current as T | null);
        } catch (error) {
          failure = { error };
          throw error;
        }
      };
      try {
        return (await transaction((client) => updateIn(client, kind, partition, id, callback))) as T | null;
      } catch (err) {
        // The callback's own error is the caller's: passed through as it is (the transaction is rolled back).
        if (failure && err === failure.error) throw err;
        return mapPostgresError(err);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
      releasePool();
    },
  };
}
