import { requireService } from '@concord/test-services';
import { Client, types } from 'cassandra-driver';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromClusteringKey, fromSigned, toClusteringKey, toSigned } from '../src/cassandra/ids.js';
import {
  type CassandraStore,
  cassandraSchema,
  createCassandraStore,
  ensureCassandraSchema,
} from '../src/cassandra/index.js';
import { freshChannelId, idInBucket, message, presentBucket } from '../src/conformance/fixtures.js';
import { runMessageStoreConformance } from '../src/conformance/index.js';
import { MAX_SNOWFLAKE } from '../src/ids.js';

const HOST = process.env.CASSANDRA_HOST ?? '127.0.0.1';
const PORT = Number(process.env.CASSANDRA_PORT ?? 9042);
const contact = { contactPoints: [HOST], port: PORT, localDataCenter: 'datacenter1' };

const up = await requireService({
  name: 'cassandra',
  host: HOST,
  port: PORT,
  howToStart: 'bash .ci/services/cassandra.sh start',
});

// A fresh keyspace per run, dropped at the end: runs never see each other's rows.
const keyspace = `concord_test_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;

describe('cassandra id columns', () => {
  const id = fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE });
  const signed = (s: string) => BigInt(s) >= -(1n << 63n) && BigInt(s) < 1n << 63n;

  it('map every 64-bit id into the signed range and back, keeping order for the clustering key', () => {
    fc.assert(
      fc.property(id, id, (a, b) => {
        const ka = toClusteringKey(a);
        expect(signed(ka)).toBe(true);
        expect(fromClusteringKey(ka)).toBe(a);
        // The driver may hand back bigint or Long (printed as a decimal string): both decode.
        expect(fromClusteringKey(BigInt(ka))).toBe(a);
        expect(Math.sign(Number(BigInt(ka) - BigInt(toClusteringKey(b))))).toBe(Math.sign(Number(a - b)));
        const sa = toSigned(a.toString());
        expect(signed(sa)).toBe(true);
        expect(fromSigned(sa)).toBe(a.toString());
        expect(fromSigned(BigInt(sa))).toBe(a.toString());
        if (a < 1n << 63n) expect(sa).toBe(a.toString());
      }),
    );
  });
});

describe.skipIf(!up)('cassandra', () => {
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ ...contact, protocolOptions: { port: PORT } });
    await admin.connect();
  }, 60_000);

  afterAll(async () => {
    await admin?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await admin?.shutdown();
  }, 60_000);

  runMessageStoreConformance(
    'cassandra',
    ({ bucketMs }) =>
      createCassandraStore({ ...contact, keyspace, bucketMs, consistency: { read: 'ONE', write: 'ONE' } }),
    { timeout: 60_000, concurrency: 100 },
  );

  describe('schema bootstrap', () => {
    it('created the run keyspace from nothing, and running it again (concurrently) is a no-op', {
      timeout: 60_000,
    }, async () => {
      // The conformance stores above created `keyspace` (it did not exist before this run); when run alone, this does.
      await ensureCassandraSchema(admin, { keyspace });
      const before = await admin.execute(
        'SELECT table_name, id FROM system_schema.tables WHERE keyspace_name = ?',
        [keyspace],
        {
          prepare: true,
        },
      );
      await Promise.all([ensureCassandraSchema(admin, { keyspace }), ensureCassandraSchema(admin, { keyspace })]);
      const tables = await admin.execute(
        'SELECT table_name, id FROM system_schema.tables WHERE keyspace_name = ?',
        [keyspace],
        {
          prepare: true,
        },
      );
      expect(tables.rows.map((r) => r.table_name as string).sort()).toEqual(['channel_buckets', 'messages']);
      // Same table ids: nothing was dropped or recreated.
      expect(tables.rows.map((r) => String(r.id)).sort()).toEqual(before.rows.map((r) => String(r.id)).sort());
      const cols = await admin.execute(
        'SELECT column_name, kind, clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
        [keyspace, 'messages'],
        { prepare: true },
      );
      const byName = new Map(cols.rows.map((r) => [r.column_name as string, r]));
      expect(byName.get('channel_id')?.kind).toBe('partition_key');
      expect(byName.get('bucket')?.kind).toBe('partition_key');
      expect(byName.get('message_id')?.kind).toBe('clustering');
      expect(byName.get('message_id')?.clustering_order).toBe('desc');
    });

    it('uses the replication given for a new keyspace', () => {
      const [ks] = cassandraSchema({
        keyspace: 'k',
        replication: { class: 'NetworkTopologyStrategy', dc1: 3, dc2: 2 },
      });
      expect(ks).toBe(
        "CREATE KEYSPACE IF NOT EXISTS k WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '2'}",
      );
      expect(() =>
        cassandraSchema({
          keyspace: 'k',
          replication: { class: 'SimpleStrategy', replication_factor: "1'}" as never },
        }),
      ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    });

    it('rejects keyspace names that would be interpolated unsafely', () => {
      expect(() => cassandraSchema({ keyspace: 'x; DROP KEYSPACE system' })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    });

    it('with createSchema: false, needs an existing schema', { timeout: 60_000 }, async () => {
      const store = await createCassandraStore({ ...contact, keyspace: `${keyspace}_none`, createSchema: false });
      try {
        await expect(store.get(freshChannelId(), '1')).rejects.toThrow(/keyspace|table/i);
      } finally {
        await store.close();
      }
    });
  });

  describe('adapter specifics', () => {
    let store: CassandraStore;
    const hour = 60 * 60 * 1000;

    beforeAll(async () => {
      store = await createCassandraStore({ ...contact, keyspace, bucketMs: hour });
    }, 60_000);
    afterAll(async () => {
      await store?.close();
    });

    it('works with a caller-owned client that returns Long for bigint, and leaves it open', async () => {
      const client = new Client({ ...contact, protocolOptions: { port: PORT } });
      const own = await createCassandraStore({ client, keyspace, bucketMs: hour });
      const channelId = freshChannelId();
      const id = idInBucket(presentBucket(hour), hour, 7);
      await own.create({ ...message(channelId, id), guildId: '18446744073709551615' });
      const raw = await client.execute(
        `SELECT channel_id, guild_id FROM ${keyspace}.messages WHERE channel_id = ? AND bucket = ?`,
        [channelId, String(presentBucket(hour))],
        { prepare: true },
      );
      // Long in, decimal strings out; ids below 2^63 are stored as-is (readable in cqlsh), 2^64-1 as -1.
      expect(raw.rows[0]?.channel_id).toBeInstanceOf(types.Long);
      expect(String(raw.rows[0]?.channel_id)).toBe(channelId);
      expect(String(raw.rows[0]?.guild_id)).toBe('-1');
      expect(await own.get(channelId, id)).toMatchObject({ id, channelId, guildId: '18446744073709551615' });
      await own.close();
      expect((await client.execute('SELECT release_version FROM system.local')).rows).toHaveLength(1);
      await client.shutdown();
    });

    it('orders ids on both sides of 2^63 inside one bucket', async () => {
      const channelId = freshChannelId();
      const mid = 1n << 63n;
      const ids = [mid - 2n, mid - 1n, mid, mid + 1n].map(String);
      for (const id of [...ids].reverse()) await store.create(message(channelId, id));
      expect((await store.list(channelId)).map((m) => m.id)).toEqual([...ids].reverse());
      expect((await store.list(channelId, { after: String(mid - 1n) })).map((m) => m.id)).toEqual([
        String(mid + 1n),
        String(mid),
      ]);
      const last = MAX_SNOWFLAKE.toString();
      await store.create(message(channelId, last));
      expect((await store.list(channelId, { limit: 1 }))[0]?.id).toBe(last);
    });

    it('walks only non-empty buckets and stops at the first one', async () => {
      const channelId = freshChannelId();
      const first = presentBucket(hour);
      // Three messages spread over 500 hours: 3 non-empty buckets among 500.
      const ids = [first, first + 250, first + 500].map((b) => idInBucket(b, hour, 1));
      for (const id of ids) await store.create(message(channelId, id));
      const before = store.stats();
      const page = await store.list(channelId, { limit: 50 });
      const after = store.stats();
      expect(page.map((m) => m.id)).toEqual([...ids].reverse());
      expect(after.bucketsRead - before.bucketsRead).toBe(3);
      // 3 message partitions + 1 page of the bucket index.
      expect(after.queries - before.queries).toBe(4);
      expect(await store.channelBuckets(channelId)).toEqual({ first, last: first + 500 });
    });

    it('reads a newest page in one round trip once it knows the newest bucket, and never trusts a stale guess', async () => {
      const channelId = freshChannelId();
      const b = presentBucket(hour);
      const older = idInBucket(b, hour, 1);
      const newer = idInBucket(b + 3, hour, 1);
      await store.create(message(channelId, older));
      // Another process writes a newer bucket: this store's remembered newest bucket (b) is now stale.
      const other = await createCassandraStore({ ...contact, keyspace, bucketMs: hour });
      await other.create(message(channelId, newer));
      await other.close();
      expect((await store.list(channelId)).map((m) => m.id)).toEqual([newer, older]);

      // Count statements in flight at once: the guessed partition goes out beside the bucket index query.
      const client = store.client as unknown as { execute: (...args: unknown[]) => Promise<unknown> };
      const execute = client.execute;
      let inFlight = 0;
      let most = 0;
      client.execute = async (...args: unknown[]) => {
        most = Math.max(most, ++inFlight);
        try {
          return await execute.apply(store.client, args);
        } finally {
          inFlight--;
        }
      };
      try {
        const page = await store.list(channelId, { limit: 1 });
        expect(page.map((m) => m.id)).toEqual([newer]);
        expect(most).toBe(2);
      } finally {
        client.execute = execute;
      }
    });

    it('stops reading once the page is full', async () => {
      const channelId = freshChannelId();
      const b = presentBucket(hour);
      for (let i = 0; i < 4; i++) {
        for (let k = 0; k < 3; k++) await store.create(message(channelId, idInBucket(b + i, hour, k)));
      }
      const before = store.stats().bucketsRead;
      const page = await store.list(channelId, { limit: 5 });
      expect(page).toHaveLength(5);
      expect(store.stats().bucketsRead - before).toBe(2);
    });

    it('reads past runs of tombstones inside a bucket', async () => {
      const channelId = freshChannelId();
      const b = presentBucket(hour);
      const ids = Array.from({ length: 30 }, (_, k) => idInBucket(b, hour, k));
      for (const id of ids) await store.create(message(channelId, id));
      expect(await store.bulkDelete(channelId, ids.slice(5, 28))).toBe(23);
      const page = await store.list(channelId, { limit: 4 });
      expect(page.map((m) => m.id)).toEqual([ids[29], ids[28], ids[4], ids[3]]);
    });

    it('edit is atomic against a concurrent delete', async () => {
      const channelId = freshChannelId();
      const id = idInBucket(presentBucket(hour), hour, 3);
      await store.create(message(channelId, id));
      const [edit, del] = await Promise.allSettled([
        store.edit(channelId, id, { content: 'edited' }),
        store.delete(channelId, id),
      ]);
      expect(del).toEqual({ status: 'fulfilled', value: true });
      const final = await store.get(channelId, id);
      // Whichever won, the row ends as a tombstone with its content cleared, never "deleted but edited".
      expect(final).toMatchObject({ deleted: true, content: '' });
      if (edit.status === 'rejected') expect(edit.reason).toMatchObject({ code: 'NOT_FOUND' });
      else expect(edit.value.content).toBe('edited');
    });

    it('applies the configured consistency levels (TWO cannot be met by one node: UNAVAILABLE)', async () => {
      const channelId = freshChannelId();
      const id = idInBucket(presentBucket(hour), hour, 1);
      await store.create(message(channelId, id));
      const strictRead = await createCassandraStore({
        ...contact,
        keyspace,
        bucketMs: hour,
        consistency: { read: 'TWO' },
      });
      const strictWrite = await createCassandraStore({
        ...contact,
        keyspace,
        bucketMs: hour,
        consistency: { write: 'TWO' },
      });
      try {
        await expect(strictRead.get(channelId, id)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
        await expect(strictRead.list(channelId)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
        const other = idInBucket(presentBucket(hour) + 1, hour, 1);
        await expect(strictWrite.create(message(channelId, other))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
        // The default levels still read fine, and the failed write left no message behind.
        expect(await strictWrite.get(channelId, id)).toMatchObject({ id });
        expect(await store.get(channelId, other)).toBeNull();
      } finally {
        await strictRead.close();
        await strictWrite.close();
      }
    });

    it('rejects unknown consistency levels', async () => {
      await expect(
        // @ts-expect-error checking untyped input
        createCassandraStore({ ...contact, keyspace, consistency: { read: 'MOSTLY' } }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('throws CLOSED after close', async () => {
      const s = await createCassandraStore({ ...contact, keyspace });
      await s.close();
      await expect(s.get(freshChannelId(), '1')).rejects.toMatchObject({ code: 'CLOSED' });
    });
  });

  describe('faults', () => {
    it('maps an unreachable cluster to UNAVAILABLE', { timeout: 30_000 }, async () => {
      await expect(
        createCassandraStore({
          contactPoints: ['127.0.0.1'],
          port: 1,
          localDataCenter: 'datacenter1',
          keyspace,
          clientOptions: { socketOptions: { connectTimeout: 1000 } },
        }),
      ).rejects.toMatchObject({ code: 'UNAVAILABLE', name: 'StorageUnavailableError' });
    });

    it('maps a connection lost mid-operation to UNAVAILABLE, without a partial write', {
      timeout: 60_000,
    }, async () => {
      const client = new Client({
        ...contact,
        protocolOptions: { port: PORT },
        pooling: { coreConnectionsPerHost: { 0: 1 } },
      });
      const store = await createCassandraStore({ client, keyspace });
      const channelId = freshChannelId();
      const ids = Array.from({ length: 40 }, (_, k) => idInBucket(presentBucket(store.bucketMs), store.bucketMs, k));
      const writes = Promise.allSettled(ids.map((id) => store.create(message(channelId, id))));
      // Shutting the client down under load closes its sockets: in-flight and later operations fail.
      await client.shutdown();
      const results = await writes;
      const failed = results.filter((r) => r.status === 'rejected');
      for (const r of failed) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'UNAVAILABLE' });
      await expect(store.get(channelId, ids[0]!)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      // Every create either fully happened or did not: exactly the fulfilled ones can be read, each once.
      const check = await createCassandraStore({ ...contact, keyspace });
      const stored = await check.list(channelId, { limit: 100 });
      const ok = ids.filter((_, i) => results[i]!.status === 'fulfilled');
      expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
      for (const id of ok) expect(stored.map((m) => m.id)).toContain(id);
      await check.close();
      await store.close();
    });
  });
});
