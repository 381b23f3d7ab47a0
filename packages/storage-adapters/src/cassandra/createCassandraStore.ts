import type { Client, ClientOptions, QueryOptions, types } from 'cassandra-driver';
import {
  CorruptDataError,
  DuplicateMessageError,
  InvalidArgumentError,
  MessageNotFoundError,
  StoreClosedError,
} from '../errors/index.js';
import {
  bucketOfId,
  DEFAULT_BUCKET_MS,
  maxBucket as maxBucketOf,
  parseId,
  toSortable,
  validateBucketMs,
} from '../ids.js';
import { type BucketScan, type BucketWalkSource, listMessages } from '../listWalk.js';
import type { BucketedStore, ListQuery, MessagePatch, NewMessage, StoredMessage } from '../MessageStore.js';
import { parseBulkIds, validateNewMessage, validatePatch, validateStoredMessage } from '../validation.js';
import { loadCassandraDriver } from './driver.js';
import { fromClusteringKey, fromSigned, toClusteringKey, toSigned } from './ids.js';
import { mapDriverError } from './mapDriverError.js';
import { assertKeyspace, type CassandraReplication, ensureCassandraSchema } from './schema.js';

export type CassandraConsistency =
  | 'ANY'
  | 'ONE'
  | 'TWO'
  | 'THREE'
  | 'QUORUM'
  | 'ALL'
  | 'LOCAL_QUORUM'
  | 'EACH_QUORUM'
  | 'LOCAL_ONE';

export interface CassandraStoreOptions {
  /** A connected or unconnected client you own (close() leaves it open). Otherwise give contactPoints. */
  client?: Client;
  contactPoints?: string[];
  /** Required by the driver's load balancing when the store creates the client. Default 'datacenter1'. */
  localDataCenter?: string;
  /** Native protocol port when the store creates the client. Default 9042. */
  port?: number;
  /** Extra options for the client the store creates (auth, TLS, pooling…). */
  clientOptions?: Partial<ClientOptions>;
  keyspace: string;
  /** Replication of the keyspace when createSchema creates it. Default SimpleStrategy RF 1. */
  replication?: CassandraReplication;
  /**
   * Default LOCAL_QUORUM reads and writes, LOCAL_SERIAL for the lightweight transactions that make create, edit and
   * delete atomic (duplicate ids, edits racing deletes).
   */
  consistency?: { read?: CassandraConsistency; write?: CassandraConsistency; serial?: 'SERIAL' | 'LOCAL_SERIAL' };
  /** Span of one bucket in ms. Default 10 days. Must be the same for every process using the keyspace. */
  bucketMs?: number;
  /** Create the keyspace and tables if missing (idempotent). Default true. */
  createSchema?: boolean;
  /** Longest accepted content in code points (default 4000). */
  maxContentLength?: number;
}

export interface CassandraStoreStats {
  /** CQL statements executed. */
  queries: number;
  /** Message partitions (channel, bucket) read by list queries. */
  bucketsRead: number;
}

export interface CassandraStore extends BucketedStore {
  readonly keyspace: string;
  readonly client: Client;
  channelBuckets(channelId: string): Promise<{ first: number; last: number } | null>;
  /** Cumulative counters since creation, to see how many buckets a query touched. */
  stats(): CassandraStoreStats;
}

const COLUMNS =
  'channel_id, bucket, message_id, guild_id, author_id, content, type, flags, edited_at, deleted, pinned, extra';
// Buckets fetched per round trip while walking a channel's history.
const BUCKET_PAGE = 8;
// Known (channel, bucket) rows, so steady-state inserts skip the redundant channel_buckets write.
const KNOWN_BUCKETS_MAX = 50_000;
// Channels whose newest bucket this store remembers (see `newestHint`).
const NEWEST_HINTS_MAX = 50_000;

function consistencyOf(name: CassandraConsistency | 'SERIAL' | 'LOCAL_SERIAL'): number {
  const key = name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const value = (loadCassandraDriver().types.consistencies as unknown as Record<string, number>)[key];
  if (value === undefined) throw new InvalidArgumentError(`unknown consistency level ${name}`);
  return value;
}

/**
 * A MessageStore on Apache Cassandra 5 / ScyllaDB: one partition per (channel, bucket), newest first, every statement
 * prepared. Resolves once connected and (unless createSchema is false) once the schema exists.
 */
export async function createCassandraStore(options: CassandraStoreOptions): Promise<CassandraStore> {
  assertKeyspace(options.keyspace);
  const bucketMs = validateBucketMs(options.bucketMs ?? DEFAULT_BUCKET_MS);
  const validation = { maxContentLength: options.maxContentLength };
  const maxBucket = maxBucketOf(bucketMs);
  const ks = options.keyspace;
  const ownsClient = options.client === undefined;
  const client =
    options.client ??
    new (loadCassandraDriver().Client)({
      contactPoints: options.contactPoints ?? ['127.0.0.1'],
      localDataCenter: options.localDataCenter ?? 'datacenter1',
      protocolOptions: { port: options.port ?? 9042 },
      // Whatever the client's setting, ids travel as decimal strings and are read back with String(); BigInt just
      // saves the Long allocations.
      encoding: { useBigIntAsLong: true },
      ...options.clientOptions,
    });

  const readOpts: QueryOptions = {
    prepare: true,
    consistency: consistencyOf(options.consistency?.read ?? 'LOCAL_QUORUM'),
  };
  const serial = consistencyOf(options.consistency?.serial ?? 'LOCAL_SERIAL');
  const writeOpts: QueryOptions = {
    prepare: true,
    consistency: consistencyOf(options.consistency?.write ?? 'LOCAL_QUORUM'),
    serialConsistency: serial,
  };
  // Linearizable read after a conditional update, so edit() returns what won even with RF > 1 and weak read levels.
  const serialReadOpts: QueryOptions = { prepare: true, consistency: serial };

  try {
    await client.connect();
    if (options.createSchema !== false)
      await ensureCassandraSchema(client, { keyspace: ks, replication: options.replication });
  } catch (err) {
    if (ownsClient) await client.shutdown().catch(() => {});
    throw mapDriverError(err, 'connect');
  }

  const q = {
    insert: `INSERT INTO ${ks}.messages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
    upsert: `INSERT INTO ${ks}.messages (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    insertBucket: `INSERT INTO ${ks}.channel_buckets (channel_id, bucket) VALUES (?, ?)`,
    get: `SELECT ${COLUMNS} FROM ${ks}.messages WHERE channel_id = ? AND bucket = ? AND message_id = ?`,
    tombstone: `UPDATE ${ks}.messages SET deleted = true, content = '', extra = null, pinned = false WHERE channel_id = ? AND bucket = ? AND message_id = ? IF deleted = false`,
    rangeDesc: `SELECT ${COLUMNS} FROM ${ks}.messages WHERE channel_id = ? AND bucket = ? AND message_id >= ? AND message_id <= ? LIMIT ?`,
    rangeAsc: `SELECT ${COLUMNS} FROM ${ks}.messages WHERE channel_id = ? AND bucket = ? AND message_id >= ? AND message_id <= ? ORDER BY message_id ASC LIMIT ?`,
    ascAll: `SELECT ${COLUMNS} FROM ${ks}.messages WHERE channel_id = ? AND bucket = ? ORDER BY message_id ASC LIMIT ?`,
    ascGt: `SELECT ${COLUMNS} FROM ${ks}.messages WHERE channel_id = ? AND bucket = ? AND message_id > ? ORDER BY message_id ASC LIMIT ?`,
    bucketsDesc: `SELECT bucket FROM ${ks}.channel_buckets WHERE channel_id = ? AND bucket <= ? AND bucket >= ? LIMIT ?`,
    bucketsAsc: `SELECT bucket FROM ${ks}.channel_buckets WHERE channel_id = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket ASC LIMIT ?`,
    bucketFirst: `SELECT bucket FROM ${ks}.channel_buckets WHERE channel_id = ? ORDER BY bucket ASC LIMIT 1`,
    bucketLast: `SELECT bucket FROM ${ks}.channel_buckets WHERE channel_id = ? LIMIT 1`,
  };

  const counters: CassandraStoreStats = { queries: 0, bucketsRead: 0 };
  const knownBuckets = new Set<string>();
  let closed = false;

  const exec = (cql: string, params: unknown[], opts: QueryOptions) => {
    counters.queries++;
    return client.execute(cql, params, opts);
  };

  async function run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (closed) throw new StoreClosedError();
    try {
      return await fn();
    } catch (err) {
      throw mapDriverError(err, operation);
    }
  }

  function toMessage(row: types.Row): StoredMessage {
    let extra: Record<string, unknown> | null = null;
    const rawExtra = row.extra as string | null;
    if (rawExtra !== null && rawExtra !== undefined) {
      try {
        extra = JSON.parse(rawExtra) as Record<string, unknown>;
      } catch (err) {
        throw new CorruptDataError(`message ${fromClusteringKey(row.message_id)}: extra is not JSON`, { cause: err });
      }
    }
    const editedAt = row.edited_at as unknown;
    return {
      id: fromClusteringKey(row.message_id).toString(),
      channelId: fromSigned(row.channel_id),
      guildId: row.guild_id === null || row.guild_id === undefined ? null : fromSigned(row.guild_id),
      authorId: fromSigned(row.author_id),
      content: (row.content as string | null) ?? '',
      type: (row.type as number | null) ?? 0,
      flags: (row.flags as number | null) ?? 0,
      editedAt: editedAt === null || editedAt === undefined ? null : Number(String(editedAt)),
      deleted: row.deleted === true,
      pinned: row.pinned === true,
      extra,
    };
  }

  function rowParams(m: StoredMessage, bucket: number) {
    return [
      toSigned(m.channelId),
      String(bucket),
      toClusteringKey(BigInt(m.id)),
      m.guildId === null ? null : toSigned(m.guildId),
      toSigned(m.authorId),
      m.content,
      m.type,
      m.flags,
      m.editedAt === null ? null : String(m.editedAt),
      m.deleted,
      m.pinned,
      m.extra === null ? null : JSON.stringify(m.extra),
    ];
  }

  /**
   * The bucket row goes in BEFORE the message: if the message write then fails, an empty bucket row costs one wasted
   * read later; the other order could leave a stored message that no history walk ever finds.
   */
  async function rememberBucket(channel: string, bucket: number): Promise<void> {
    const key = `${channel}:${bucket}`;
    hintNewest(channel, bucket);
    if (knownBuckets.has(key)) return;
    await exec(q.insertBucket, [toSigned(channel), String(bucket)], writeOpts);
    if (knownBuckets.size >= KNOWN_BUCKETS_MAX) knownBuckets.clear();
    knownBuckets.add(key);
  }

  /**
   * The newest non-empty bucket seen per channel (by its writes and newest-page reads here). Only a guess — another
   * process may have written a newer bucket — so it is read in parallel with the bucket index and used only when the
   * index confirms it: a newest page of a known channel costs one round trip instead of two.
   */
  const newestHint = new Map<string, number>();
  function hintNewest(channel: string, bucket: number): void {
    const known = newestHint.get(channel);
    if (known !== undefined && known >= bucket) return;
    if (known === undefined && newestHint.size >= NEWEST_HINTS_MAX) newestHint.clear();
    newestHint.set(channel, bucket);
  }

  /**
   * Non-empty buckets of a channel between `from` and `to` (inclusive, in walk direction), a page at a time from the
   * channel_buckets index: empty spans of time cost nothing, and the walk ends at the channel's first (or last) bucket.
   */
  async function* bucketsBetween(
    channel: string,
    from: number,
    to: number,
    desc: boolean,
    firstPage?: Promise<types.ResultSet>,
  ): AsyncGenerator<number> {
    let cursor = from;
    let pending = firstPage;
    while (desc ? cursor >= to : cursor <= to) {
      const rs =
        pending ??
        (desc
          ? exec(q.bucketsDesc, [channel, String(cursor), String(to), BUCKET_PAGE], readOpts)
          : exec(q.bucketsAsc, [channel, String(cursor), String(to), BUCKET_PAGE], readOpts));
      pending = undefined;
      const { rows } = await rs;
      for (const row of rows) yield Number(String(row.bucket));
      const last = rows[rows.length - 1];
      if (rows.length < BUCKET_PAGE || last === undefined) return;
      cursor = Number(String(last.bucket)) + (desc ? -1 : 1);
    }
  }

  /**
   * The shared walker asks for a run of buckets; one scan reads them partition by partition (Cassandra cannot range
   * over partitions in order), narrowing the id range as it goes so dropped tombstones are read past, not re-read.
   *
   * A page that starts at a cursor usually ends in the cursor's own bucket, so that partition is read at the same time
   * as the bucket index: one round trip instead of two when it fills the page. (Reading it is always correct: a
   * partition with rows is always in the index, since the index row is written first.) A walk from the newest possible
   * bucket (no cursor) has nothing to guess and asks the index first.
   */
  async function scan(s: BucketScan): Promise<StoredMessage[]> {
    const channel = toSigned(s.channelId);
    const desc = s.direction === 'desc';
    const out: StoredMessage[] = [];
    const partition = (bucket: number, lo: bigint, hi: bigint, limit: number) =>
      exec(desc ? q.rangeDesc : q.rangeAsc, [channel, String(bucket), lo.toString(), hi.toString(), limit], readOpts);

    /** Reads one partition until the page is full or the partition is exhausted. */
    const drain = async (bucket: number, first?: Promise<types.ResultSet>) => {
      counters.bucketsRead++;
      let lo = toSortable(s.lo);
      let hi = toSortable(s.hi);
      let pending = first;
      while (out.length < s.limit && lo <= hi) {
        const need = s.limit - out.length;
        const rs = await (pending ?? partition(bucket, lo, hi, need));
        pending = undefined;
        for (const row of rs.rows) {
          if (s.includeDeleted || row.deleted !== true) out.push(toMessage(row));
        }
        const last = rs.rows[rs.rows.length - 1];
        if (rs.rows.length < need || last === undefined) break;
        const key = BigInt(String(last.message_id));
        if (desc) hi = key - 1n;
        else lo = key + 1n;
      }
    };

    const guess = desc ? s.fromBucket < maxBucket : s.fromBucket > 0;
    let firstPage: Promise<types.ResultSet> | undefined;
    if (guess) {
      const speculative = partition(s.fromBucket, toSortable(s.lo), toSortable(s.hi), s.limit);
      firstPage = desc
        ? exec(q.bucketsDesc, [channel, String(s.fromBucket - 1), String(s.toBucket), BUCKET_PAGE], readOpts)
        : exec(q.bucketsAsc, [channel, String(s.fromBucket + 1), String(s.toBucket), BUCKET_PAGE], readOpts);
      // If the guess fills the page the index answer is not needed; never leave its rejection unhandled.
      firstPage.catch(() => {});
      await drain(s.fromBucket, speculative);
      if (out.length >= s.limit) return out;
      if (desc ? s.fromBucket - 1 < s.toBucket : s.fromBucket + 1 > s.toBucket) return out;
    }
    const from = guess ? s.fromBucket + (desc ? -1 : 1) : s.fromBucket;
    // A newest page: read the channel's remembered newest bucket while the index is asked which bucket that is.
    const hint = !guess && desc ? newestHint.get(s.channelId) : undefined;
    let hinted: Promise<types.ResultSet> | undefined;
    if (hint !== undefined && hint <= s.fromBucket && hint >= s.toBucket) {
      hinted = partition(hint, toSortable(s.lo), toSortable(s.hi), s.limit);
      hinted.catch(() => {});
    }
    let first = true;
    for await (const bucket of bucketsBetween(channel, from, s.toBucket, desc, firstPage)) {
      if (first && desc && !guess) hintNewest(s.channelId, bucket);
      await drain(bucket, first && bucket === hint ? hinted : undefined);
      first = false;
      if (out.length >= s.limit) break;
    }
    return out;
  }

  // One scan covers any number of buckets, so the walker needs no separate bounds query.
  const source: BucketWalkSource = { bucketMs, scan, bucketsPerScan: Number.POSITIVE_INFINITY };

  const store: CassandraStore = {
    bucketMs,
    keyspace: ks,
    client,

    create(message: NewMessage) {
      return run('create', async () => {
        const row = validateNewMessage(message, validation);
        const bucket = bucketOfId(BigInt(row.id), bucketMs);
        await rememberBucket(row.channelId, bucket);
        const rs = await exec(q.insert, rowParams(row, bucket), writeOpts);
        if (rs.rows[0]?.['[applied]'] !== true) throw new DuplicateMessageError(row.channelId, row.id);
        return row;
      });
    },

    get(channelId, messageId) {
      return run('get', async () => {
        parseId(channelId, 'channelId');
        const id = parseId(messageId, 'messageId');
        const rs = await exec(
          q.get,
          [toSigned(channelId), String(bucketOfId(id, bucketMs)), toClusteringKey(id)],
          readOpts,
        );
        const row = rs.rows[0];
        return row ? toMessage(row) : null;
      });
    },

    edit(channelId, messageId, patch: MessagePatch) {
      return run('edit', async () => {
        parseId(channelId, 'channelId');
        const id = parseId(messageId, 'messageId');
        const p = validatePatch(patch, validation);
        const key = [toSigned(channelId), String(bucketOfId(id, bucketMs)), toClusteringKey(id)];
        const sets: string[] = [];
        const params: unknown[] = [];
        if (p.content !== undefined) {
          sets.push('content = ?');
          params.push(p.content);
        }
        if (p.flags !== undefined) {
          sets.push('flags = ?');
          params.push(p.flags);
        }
        if (p.extra !== undefined) {
          sets.push('extra = ?');
          params.push(p.extra === null ? null : JSON.stringify(p.extra));
        }
        if (p.pinned !== undefined) {
          sets.push('pinned = ?');
          params.push(p.pinned);
        }
        const edited = p.content !== undefined || p.flags !== undefined || p.extra !== undefined;
        if (p.editedAt !== undefined || edited) {
          sets.push('edited_at = ?');
          params.push(String(p.editedAt ?? Date.now()));
        }
        if (sets.length > 0) {
          // One statement text per combination of patched fields (at most 32): each is prepared once and cached.
          const cql = `UPDATE ${ks}.messages SET ${sets.join(', ')} WHERE channel_id = ? AND bucket = ? AND message_id = ? IF deleted = false`;
          const rs = await exec(cql, [...params, ...key], writeOpts);
          if (rs.rows[0]?.['[applied]'] !== true) throw new MessageNotFoundError(channelId, messageId);
        }
        const rs = await exec(q.get, key, serialReadOpts);
        const row = rs.rows[0];
        const message = row ? toMessage(row) : null;
        if (message === null || message.deleted) throw new MessageNotFoundError(channelId, messageId);
        return message;
      });
    },

    delete(channelId, messageId) {
      return run('delete', async () => {
        parseId(channelId, 'channelId');
        const id = parseId(messageId, 'messageId');
        const rs = await exec(
          q.tombstone,
          [toSigned(channelId), String(bucketOfId(id, bucketMs)), toClusteringKey(id)],
          writeOpts,
        );
        return rs.rows[0]?.['[applied]'] === true;
      });
    },

    bulkDelete(channelId, messageIds) {
      return run('bulkDelete', async () => {
        parseId(channelId, 'channelId');
        const ids = parseBulkIds(messageIds).map((m) => BigInt(m));
        // Conditional updates cannot be batched across partitions, and one failed condition in a batch would void the
        // rest: one LWT per id, in parallel; the count is exact because each [applied] is.
        const results = await Promise.all(
          ids.map((id) =>
            exec(q.tombstone, [toSigned(channelId), String(bucketOfId(id, bucketMs)), toClusteringKey(id)], writeOpts),
          ),
        );
        return results.filter((rs) => rs.rows[0]?.['[applied]'] === true).length;
      });
    },

    list(channelId, query?: ListQuery) {
      return run('list', async () => {
        parseId(channelId, 'channelId');
        return listMessages(source, channelId, query);
      });
    },

    listBucket(channelId, bucket, opts) {
      return run('listBucket', async () => {
        const channel = toSigned(parseId(channelId, 'channelId').toString());
        if (!Number.isSafeInteger(bucket) || bucket < 0)
          throw new InvalidArgumentError('bucket must be an integer >= 0');
        const limit = opts?.limit;
        if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
          throw new InvalidArgumentError('limit must be a positive integer');
        }
        const after = opts?.afterId === undefined ? null : toClusteringKey(parseId(opts.afterId, 'afterId'));
        // Without a limit the whole partition is read, a page at a time.
        const max = Math.min(limit ?? 2 ** 31 - 1, 2 ** 31 - 1);
        const params = after === null ? [channel, String(bucket), max] : [channel, String(bucket), after, max];
        const cql = after === null ? q.ascAll : q.ascGt;
        const out: StoredMessage[] = [];
        let pageState: string | undefined;
        do {
          const rs = await exec(cql, params, { ...readOpts, fetchSize: Math.min(max, 1000), pageState });
          for (const row of rs.rows) out.push(toMessage(row));
          pageState = rs.pageState ?? undefined;
        } while (pageState && out.length < max);
        return out;
      });
    },

    channelBuckets(channelId) {
      return run('channelBuckets', async () => {
        const channel = toSigned(parseId(channelId, 'channelId').toString());
        const [first, last] = await Promise.all([
          exec(q.bucketFirst, [channel], readOpts),
          exec(q.bucketLast, [channel], readOpts),
        ]);
        const f = first.rows[0];
        const l = last.rows[0];
        if (!f || !l) return null;
        return { first: Number(String(f.bucket)), last: Number(String(l.bucket)) };
      });
    },

    putRaw(message) {
      return run('putRaw', async () => {
        const row = validateStoredMessage(message, validation);
        const bucket = bucketOfId(BigInt(row.id), bucketMs);
        await rememberBucket(row.channelId, bucket);
        // Plain upsert: same primary key → replaced, never duplicated, which is what a resumable backfill needs.
        await exec(q.upsert, rowParams(row, bucket), writeOpts);
      });
    },

    stats() {
      return { ...counters };
    },

    async close() {
      if (closed) return;
      closed = true;
      if (ownsClient) await client.shutdown();
    },
  };
  return store;
}
