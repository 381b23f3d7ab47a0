/**
 * Cassandra adapter and Redis cache bench.
 * - Cassandra: insert throughput and p50/p99 of a 50-message page (newest; deep history across sparse buckets) against
 *   the same statements written directly with cassandra-driver (same tables, prepared, same consistency); how many
 *   buckets (partitions) and queries the deep page took.
 * - Redis cache: the hit path (newest 50) against the store underneath (memory, SQLite, Cassandra).
 *
 * Run: node --expose-gc --import tsx packages/storage-adapters/bench/cassandra-redis.ts
 * Servers: bash .ci/services/cassandra.sh start; bash .ci/services/redis.sh start (each part is skipped when absent).
 */
import { benchName, type Comparison, comparison, report } from '@concord/bench-kit';
import Database from 'better-sqlite3';
import { Client } from 'cassandra-driver';
import { Redis } from 'ioredis';
import { type CassandraStore, createCassandraStore } from '../src/cassandra/index.js';
import { createInMemoryStore, DEFAULT_BUCKET_MS } from '../src/index.js';
import { withRedisCache } from '../src/redis/index.js';
import { createSqliteStore } from '../src/sqlite/index.js';
import { cassandraDirect } from './lib/cassandraDirect.js';
import { chatMessages } from './lib/chatText.js';
import { channelHistory, deepCursor, freshMessages, percentile } from './lib/history.js';
import { measureLatencies, measureThroughput, seedStore } from './lib/interleaved.js';

const CASSANDRA_HOST = process.env.CASSANDRA_HOST ?? '127.0.0.1';
const CASSANDRA_PORT = Number(process.env.CASSANDRA_PORT ?? 9042);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const texts = chatMessages(2048, 7);
const rows: Comparison[] = [];
const notes: string[] = [];
const started = performance.now();

const history = (channelId: string) => channelHistory(channelId, texts, { count: 1500, stepMs: 1_000_000 });

const freshMessage = freshMessages(texts);

/** p50/p99 and client CPU per call of ours against the baseline, interleaved rounds (bench/lib/interleaved.ts). */
async function latencies(
  name: string,
  ours: () => Promise<unknown>,
  base: () => Promise<unknown>,
  against: string,
  samplesPerRound: number,
  rounds = 4,
) {
  const m = await measureLatencies(ours, base, { samplesPerRound, rounds, warmup: 20 });
  notes.push(
    `${name}: client CPU per call ${m.cpuMsPerCall.ours.toFixed(3)} ms ours, ${m.cpuMsPerCall.base.toFixed(3)} ms ${against}`,
  );
  rows.push(comparison(`${name} p50`, 'ms', percentile(m.ours, 0.5), percentile(m.base, 0.5), against, true));
  rows.push(comparison(`${name} p99`, 'ms', percentile(m.ours, 0.99), percentile(m.base, 0.99), against, true));
}

async function throughput(
  name: string,
  ours: () => Promise<unknown>,
  base: () => Promise<unknown>,
  against: string,
  perRound: number,
  concurrency: number,
  rounds = 4,
) {
  const m = await measureThroughput(ours, base, { perRound, concurrency, rounds });
  rows.push(comparison(name, 'ops/s', m.ours, m.base, against));
}

async function cassandraUp(): Promise<boolean> {
  const probe = new Client({
    contactPoints: [CASSANDRA_HOST],
    localDataCenter: 'datacenter1',
    protocolOptions: { port: CASSANDRA_PORT },
    socketOptions: { connectTimeout: 2000 },
  });
  try {
    await probe.connect();
    return true;
  } catch (err) {
    notes.push(`cassandra: skipped (${(err as Error).message}); start it with: bash .ci/services/cassandra.sh start`);
    return false;
  } finally {
    await probe.shutdown().catch(() => {});
  }
}

async function redisUp(): Promise<Redis | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    notes.push(`redis: skipped (${(err as Error).message}); start it with: bash .ci/services/redis.sh start`);
    redis.disconnect();
    return null;
  }
}

// ---- Cassandra: our store vs the same statements by hand ----

interface CassandraBench {
  store: CassandraStore;
  channelId: string;
  deep: string;
}

async function benchCassandra(client: Client, keyspace: string): Promise<CassandraBench> {
  const channelId = '381870553235193857';
  const messages = history(channelId);
  const store = await createCassandraStore({ client, keyspace });
  const t = performance.now();
  await seedStore(store, messages, 32);
  notes.push(`cassandra: seeded ${messages.length} messages in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // The hand-written version: the same statements on the same tables (so both read identical partitions and the
  // comparison is not skewed by memtable/SSTable layout), prepared, same consistency, rows decoded to the same shape.
  const bucketMs = BigInt(DEFAULT_BUCKET_MS);
  const { insert: directInsert, page: directPage } = cassandraDirect(client, keyspace, channelId, DEFAULT_BUCKET_MS);
  const deep = deepCursor(messages);
  const check = await directPage(BigInt(deep));
  const ours = await store.list(channelId, { before: deep, limit: 50 });
  if (JSON.stringify(check.map((m) => m.id)) !== JSON.stringify(ours.map((m) => m.id))) {
    throw new Error('direct and store pages differ');
  }

  await throughput(
    'cassandra insert (32 in flight)',
    () => store.create(freshMessage(channelId)),
    () => directInsert(freshMessage(channelId)),
    'cassandra-driver direct',
    400,
    32,
  );
  await latencies(
    'cassandra newest 50',
    () => store.list(channelId, { limit: 50 }),
    () => directPage(null),
    'cassandra-driver direct',
    40,
  );
  await latencies(
    'cassandra deep 50',
    () => store.list(channelId, { before: deep, limit: 50 }),
    () => directPage(BigInt(deep)),
    'cassandra-driver direct',
    40,
  );
  const s0 = store.stats();
  const page = await store.list(channelId, { before: deep, limit: 50 });
  const s1 = store.stats();
  const spanned = new Set(page.map((m) => (BigInt(m.id) >> 22n) / bucketMs)).size;
  notes.push(
    `cassandra: deep before-page of 50 read ${s1.bucketsRead - s0.bucketsRead} partitions (rows from ${spanned} buckets) in ${s1.queries - s0.queries} queries`,
  );
  return { store, channelId, deep };
}

// ---- Redis cache hit path vs the store under it ----

async function benchCache(redis: Redis, cassandra: CassandraBench | null) {
  const prefix = `concord:bench:${process.pid}:`;
  const channelId = '381870553235193857';
  const messages = history(channelId).slice(-400);

  const memory = createInMemoryStore();
  await seedStore(memory, messages, 1);
  const cachedMemory = withRedisCache(memory, { redis, keyPrefix: `${prefix}m:` });
  await latencies(
    'redis cache newest 50 (over memory)',
    () => cachedMemory.list(channelId, { limit: 50 }),
    () => memory.list(channelId, { limit: 50 }),
    'memory store',
    200,
  );

  const db = new Database(':memory:');
  const sqlite = createSqliteStore({ database: db });
  await seedStore(sqlite, messages, 1);
  const cachedSqlite = withRedisCache(sqlite, { redis, keyPrefix: `${prefix}s:` });
  await latencies(
    'redis cache newest 50 (over sqlite)',
    () => cachedSqlite.list(channelId, { limit: 50 }),
    () => sqlite.list(channelId, { limit: 50 }),
    'sqlite store',
    200,
  );

  if (cassandra) {
    const cachedCassandra = withRedisCache(cassandra.store, { redis, keyPrefix: `${prefix}c:` });
    await latencies(
      'redis cache newest 50 (over cassandra)',
      () => cachedCassandra.list(cassandra.channelId, { limit: 50 }),
      () => cassandra.store.list(cassandra.channelId, { limit: 50 }),
      'cassandra store',
      40,
    );
    notes.push(`redis cache over cassandra: ${JSON.stringify(cachedCassandra.stats())}`);
  }
  notes.push(`redis cache over memory: ${JSON.stringify(cachedMemory.stats())}`);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  db.close();
}

async function main() {
  let cassandra: CassandraBench | null = null;
  let client: Client | null = null;
  const keyspace = `concord_bench_${process.pid}`;
  if (await cassandraUp()) {
    client = new Client({
      contactPoints: [CASSANDRA_HOST],
      localDataCenter: 'datacenter1',
      protocolOptions: { port: CASSANDRA_PORT },
      encoding: { useBigIntAsLong: true },
    });
    await client.connect();
    cassandra = await benchCassandra(client, keyspace);
  }
  const redis = await redisUp();
  if (redis) {
    await benchCache(redis, cassandra);
    redis.disconnect();
  }
  if (client) {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await client.shutdown();
  }
  notes.push(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  report(
    'storage-adapters: cassandra + redis cache',
    rows.map((r) => ({ ...r, bench: benchName('storage-adapters', r.bench) })),
    notes,
  );
}

await main();
