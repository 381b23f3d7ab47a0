/**
 * Message store bench: for memory, SQLite and PostgreSQL (when reachable), our store against the same operations written
 * directly with the driver (same table layout, same SQL, rows decoded to the same plain objects):
 * - insert throughput;
 * - p50 / p99 latency of a 50-message page: the newest, and deep history (a `before` cursor in sparse old buckets);
 * - how many buckets the deep page touched;
 * - coalescing: 1,000 concurrent identical reads → database queries.
 *
 * Run: node --expose-gc --import tsx packages/storage-adapters/bench/stores.ts
 * PostgreSQL: POSTGRES_URL (default postgres://concord:concord@127.0.0.1:54320/concord; bash .ci/services/postgres.sh start).
 */
import { benchName, type Comparison, comparison, report } from '@concord/bench-kit';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  createInMemoryStore,
  DEFAULT_BUCKET_MS,
  type MessageStore,
  type NewMessage,
  type StoredMessage,
  withCoalescing,
} from '../src/index.js';
import { bucketOfId } from '../src/kit/index.js';
import { createPostgresStore } from '../src/postgres/index.js';
import { createSqliteStore } from '../src/sqlite/index.js';
import { chatMessages } from './lib/chatText.js';
import { channelHistory, DAY, deepCursor, freshMessages, percentile } from './lib/history.js';
import { measureLatencies, measureThroughput, seedStore } from './lib/interleaved.js';
import { COLS, DDL_SQLITE, type DirectRow, directDecode, directValues, SIGN } from './lib/sqlDirect.js';

const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://concord:concord@127.0.0.1:54320/concord';
const texts = chatMessages(4096, 11);
const rows: Comparison[] = [];
const only = process.env.BENCH_ONLY;
const notes: string[] = [];

const history = (channelId: string) => channelHistory(channelId, texts, { count: 4000, stepMs: 400_000 });

/** p50/p99 of ours against the baseline, interleaved rounds (bench/lib/interleaved.ts). */
async function latencies(
  name: string,
  ours: () => Promise<unknown>,
  base: () => Promise<unknown>,
  against: string,
  samplesPerRound: number,
  rounds = 6,
) {
  const m = await measureLatencies(ours, base, { samplesPerRound, rounds, warmup: 30 });
  rows.push(comparison(`${name} p50`, 'ms', percentile(m.ours, 0.5), percentile(m.base, 0.5), against, true));
  rows.push(comparison(`${name} p99`, 'ms', percentile(m.ours, 0.99), percentile(m.base, 0.99), against, true));
}

/** Inserts per second, ours against the baseline (bench/lib/interleaved.ts). */
async function throughput(
  name: string,
  ours: () => Promise<unknown>,
  base: () => Promise<unknown>,
  against: string,
  perRound: number,
  concurrency: number,
  rounds = 6,
) {
  const m = await measureThroughput(ours, base, { perRound, concurrency, rounds });
  rows.push(comparison(name, 'ops/s', m.ours, m.base, against));
}

const freshMessage = freshMessages(texts);

// ---- direct-driver baselines: bench/lib/sqlDirect.ts, the same layout an application would write by hand ----

async function coalescing(label: string, make: (onScan: () => void) => Promise<MessageStore>, channelId: string) {
  let scans = 0;
  const plain = await make(() => scans++);
  scans = 0;
  await Promise.all(Array.from({ length: 1000 }, () => plain.list(channelId, { limit: 50 })));
  const without = scans;
  const store = withCoalescing(plain);
  scans = 0;
  await Promise.all(Array.from({ length: 1000 }, () => store.list(channelId, { limit: 50 })));
  rows.push(comparison(`${label} 1000 identical reads`, 'queries', scans, without, 'no coalescing', true));
  notes.push(
    `${label}: 1,000 concurrent identical list() → ${scans} database query with coalescing, ${without} without`,
  );
  await plain.close();
}

async function deepBuckets(
  store: MessageStore & { bucketMs: number },
  channelId: string,
  cursor: string,
  label: string,
) {
  const page = await store.list(channelId, { before: cursor, limit: 50 });
  const buckets = new Set(page.map((m) => bucketOfId(BigInt(m.id), store.bucketMs)));
  const first = bucketOfId(BigInt(page[0]!.id), store.bucketMs);
  const last = bucketOfId(BigInt(page[page.length - 1]!.id), store.bucketMs);
  notes.push(
    `${label}: deep before-page of 50 touched ${buckets.size} buckets (${last}..${first}, ${DEFAULT_BUCKET_MS / DAY}-day buckets)`,
  );
}

// ---- memory ----
async function benchMemory() {
  const channelId = '381870553235193857';
  const messages = history(channelId);
  let scannedBuckets = 0;
  const store = createInMemoryStore({ onScan: (s) => (scannedBuckets = s.buckets) });
  await seedStore(store, messages, 1);
  // Baseline: the direct structure without a library: one sorted array of ids per channel.
  const ids: bigint[] = [];
  const byId = new Map<bigint, StoredMessage>();
  const plainInsert = (m: NewMessage) => {
    const id = BigInt(m.id);
    if (byId.has(id)) throw new Error('dup');
    const row: StoredMessage = { ...m, editedAt: null, deleted: false, pinned: false };
    byId.set(id, row);
    if (ids.length === 0 || ids[ids.length - 1]! < id) ids.push(id);
    else {
      let lo = 0;
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ids[mid]! < id) lo = mid + 1;
        else hi = mid;
      }
      ids.splice(lo, 0, id);
    }
    return row;
  };
  const plainBefore = (before: bigint | null, limit: number) => {
    let hi = ids.length;
    if (before !== null) {
      let lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ids[mid]! < before) lo = mid + 1;
        else hi = mid;
      }
    }
    const out: StoredMessage[] = [];
    for (let i = hi - 1; i >= 0 && out.length < limit; i--) {
      const r = byId.get(ids[i]!)!;
      if (!r.deleted) out.push({ ...r, extra: r.extra === null ? null : structuredClone(r.extra) });
    }
    return out;
  };
  for (const m of messages) plainInsert(m);
  const deep = deepCursor(messages);
  await throughput(
    'memory insert',
    () => store.create(freshMessage(channelId)),
    async () => plainInsert(freshMessage(channelId)),
    'plain sorted array',
    5000,
    1,
  );
  await latencies(
    'memory newest 50',
    () => store.list(channelId, { limit: 50 }),
    async () => plainBefore(null, 50),
    'plain sorted array',
    300,
  );
  await latencies(
    'memory deep 50',
    () => store.list(channelId, { before: deep, limit: 50 }),
    async () => plainBefore(BigInt(deep), 50),
    'plain sorted array',
    300,
  );
  await store.list(channelId, { before: deep, limit: 50 });
  notes.push(`memory: deep before-page scanned ${scannedBuckets} non-empty buckets`);
  await coalescing(
    'memory',
    async (onScan) => {
      const s = createInMemoryStore({ onScan });
      await seedStore(s, messages.slice(-200), 1);
      return s;
    },
    channelId,
  );
  await store.close();
}

// ---- sqlite ----
async function benchSqlite() {
  const channelId = '381870553235193857';
  const messages = history(channelId);
  const db = new Database(':memory:');
  const store = createSqliteStore({ database: db });
  await seedStore(store, messages, 1);
  db.exec(DDL_SQLITE('direct'));
  const insert = db.prepare(
    `INSERT INTO direct (${COLS}) VALUES (${COLS.split(',')
      .map(() => '?')
      .join(', ')})`,
  );
  const page = db
    .prepare(
      `SELECT ${COLS} FROM direct WHERE channel_id = ? AND bucket <= ? AND message_id < ? AND deleted = 0
       ORDER BY bucket DESC, message_id DESC LIMIT ?`,
    )
    .safeIntegers(true);
  const bucketMs = store.bucketMs;
  db.transaction(() => {
    for (const m of messages) insert.run(...directValues(m, bucketMs));
  })();
  const directInsert = (m: NewMessage) => {
    insert.run(...directValues(m, bucketMs));
    return m;
  };
  const directPage = (before: bigint | null) => {
    const b = before ?? (1n << 64n) - 1n;
    return (page.all(BigInt(channelId), Number(((b - 1n) >> 22n) / BigInt(bucketMs)), b - SIGN, 50) as DirectRow[]).map(
      directDecode,
    );
  };
  const deep = deepCursor(messages);
  await throughput(
    'sqlite insert',
    () => store.create(freshMessage(channelId)),
    async () => directInsert(freshMessage(channelId)),
    'better-sqlite3 direct',
    // Rounds long enough (~0.1 s) that a neighbour's burst on this shared box lands in one of them, not in the median.
    10_000,
    1,
    10,
  );
  await latencies(
    'sqlite newest 50',
    () => store.list(channelId, { limit: 50 }),
    async () => directPage(null),
    'better-sqlite3 direct',
    200,
  );
  await latencies(
    'sqlite deep 50',
    () => store.list(channelId, { before: deep, limit: 50 }),
    async () => directPage(BigInt(deep)),
    'better-sqlite3 direct',
    200,
  );
  await deepBuckets(store, channelId, deep, 'sqlite');
  await coalescing('sqlite', async (onScan) => createSqliteStore({ database: db, onScan }), channelId);
  await store.close();
  db.close();
}

// ---- postgres ----
async function benchPostgres() {
  const probe = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await probe.connect();
    await probe.end();
  } catch (err) {
    notes.push(`postgres: skipped (${(err as Error).message}); start it with: bash .ci/services/postgres.sh start`);
    return;
  }
  const schema = `concord_bench_${process.pid}`;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 8 });
  try {
    const channelId = '381870553235193857';
    const messages = history(channelId);
    const store = await createPostgresStore({ pool, schema });
    await seedStore(store, messages, 8);
    const t = `"${schema}"."direct"`;
    await pool.query(`CREATE TABLE ${t} (LIKE "${schema}"."messages" INCLUDING ALL)`);
    const placeholders = COLS.split(',').map((c, i) => (c.trim() === 'extra' ? `$${i + 1}::jsonb` : `$${i + 1}`));
    const insertQ = { name: 'direct_insert', text: `INSERT INTO ${t} (${COLS}) VALUES (${placeholders.join(', ')})` };
    const pageQ = {
      name: 'direct_page',
      text: `SELECT ${COLS} FROM ${t} WHERE channel_id = $1 AND bucket <= $2 AND message_id < $3 AND NOT deleted
             ORDER BY bucket DESC, message_id DESC LIMIT $4`,
    };
    const bucketMs = store.bucketMs;
    const directInsert = (m: NewMessage) =>
      pool.query({
        ...insertQ,
        values: directValues(m, bucketMs).map((v) => (typeof v === 'bigint' ? v.toString() : v)),
      });
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < messages.length; i += 8) await directInsert(messages[i]!);
      }),
    );
    const directPage = async (before: bigint | null) => {
      const b = before ?? (1n << 64n) - 1n;
      const res = await pool.query({
        ...pageQ,
        values: [channelId, Number(((b - 1n) >> 22n) / BigInt(bucketMs)), (b - SIGN).toString(), 50],
      });
      return res.rows.map(directDecode);
    };
    const deep = deepCursor(messages);
    await throughput(
      'postgres insert (8 in flight)',
      () => store.create(freshMessage(channelId)),
      async () => directInsert(freshMessage(channelId)),
      'pg direct',
      800,
      8,
    );
    await latencies(
      'postgres newest 50',
      () => store.list(channelId, { limit: 50 }),
      () => directPage(null),
      'pg direct',
      100,
    );
    await latencies(
      'postgres deep 50',
      () => store.list(channelId, { before: deep, limit: 50 }),
      () => directPage(BigInt(deep)),
      'pg direct',
      100,
    );
    await deepBuckets(store, channelId, deep, 'postgres');
    await coalescing('postgres', async (onScan) => createPostgresStore({ pool, schema, onScan }), channelId);
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

const started = performance.now();
if (!only || only === 'memory') await benchMemory();
if (!only || only === 'sqlite') await benchSqlite();
if (!only || only === 'postgres') await benchPostgres();
notes.push(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
report(
  'storage-adapters: ours vs the same operations written directly with the driver',
  rows.map((r) => ({ ...r, bench: benchName('storage-adapters', r.bench) })),
  notes,
);
