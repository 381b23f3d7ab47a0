import { afterAll, describe, expect, it } from 'vitest';
import {
  freshChannelId,
  idInBucket,
  message,
  presentBucket,
  runMessageStoreConformance,
} from '../src/conformance/index.js';
import type { StoredMessage } from '../src/index.js';
import { createPostgresStore, type PostgresMessageStore } from '../src/postgres/index.js';
import {
  adminQuery,
  POSTGRES_URL,
  postgresUp,
  SCRIPT_MANAGED,
  serviceScript,
  testSchemaName,
} from './postgresHelpers.js';
import { withExclusivePostgresServer } from './postgresServerLock.js';

const up = await postgresUp();
const schema = testSchemaName('concord_test');

afterAll(async () => {
  if (up) await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
});

if (up) {
  runMessageStoreConformance('postgres', ({ bucketMs }) =>
    createPostgresStore({
      connectionString: POSTGRES_URL,
      schema,
      table: bucketMs === undefined ? 'messages' : `messages_b${bucketMs}`,
      bucketMs,
    }),
  );
}

/**
 * Keeps 40 creates in flight; once `faultAfter` have settled, starts `fault` (which gets a function telling whether a
 * create has failed yet). Writers stop once the fault has run and at least one create failed (or after `max`), so the
 * fault always lands under load however fast the machine is.
 */
async function createUnderFault(
  store: PostgresMessageStore,
  channelId: string,
  fault: (failedYet: () => boolean) => Promise<void>,
  faultAfter = 60,
  max = 20_000,
) {
  const bucket = presentBucket(store.bucketMs);
  const ids: string[] = [];
  const resolved: string[] = [];
  const rejected: Array<{ id: string; reason: unknown }> = [];
  let settled = 0;
  let faultPromise: Promise<void> | undefined;
  let faultDone = false;
  const failedYet = () => rejected.length > 0;
  const one = async (id: string) => {
    try {
      await store.create(message(channelId, id, `content of ${id}`));
      resolved.push(id);
    } catch (reason) {
      rejected.push({ id, reason });
    }
    settled++;
    if (settled === faultAfter) {
      faultPromise = fault(failedYet).finally(() => {
        faultDone = true;
      });
    }
  };
  await Promise.all(
    Array.from({ length: 40 }, async () => {
      while (ids.length < max && !(faultDone && failedYet())) {
        const id = idInBucket(bucket + (ids.length % 5), store.bucketMs, ids.length);
        ids.push(id);
        await one(id);
      }
    }),
  );
  await faultPromise;
  return { ids, resolved, rejected };
}

async function readBack(store: PostgresMessageStore, channelId: string): Promise<StoredMessage[]> {
  // Walk with before-pages, including tombstones, exactly as a client would.
  const out: StoredMessage[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await store.list(channelId, { limit: 100, includeDeleted: true, ...(before ? { before } : {}) });
    out.push(...page);
    if (page.length < 100) return out;
    before = page[page.length - 1]!.id;
  }
}

async function retry<T>(fn: () => Promise<T>, attempts = 60): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || (err as { code?: string }).code !== 'UNAVAILABLE') throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function checkOutcome(
  rows: StoredMessage[],
  outcome: { ids: string[]; resolved: string[]; rejected: Array<{ id: string; reason: unknown }> },
  channelId: string,
) {
  expect(outcome.resolved.length).toBeGreaterThan(0);
  expect(outcome.rejected.length).toBeGreaterThan(0);
  for (const r of outcome.rejected) expect(r.reason).toMatchObject({ code: 'UNAVAILABLE' });
  expect(outcome.resolved.length + outcome.rejected.length).toBe(outcome.ids.length);
  const seen = rows.map((r) => r.id);
  expect(new Set(seen).size).toBe(seen.length);
  const present = new Set(seen);
  for (const id of outcome.resolved) expect(present.has(id)).toBe(true);
  // A rejected create may have committed before the connection died: then it is there once and whole.
  const known = new Set(outcome.ids);
  for (const row of rows) {
    expect(known.has(row.id)).toBe(true);
    expect(row).toMatchObject({ channelId, content: `content of ${row.id}`, deleted: false });
  }
}

describe.skipIf(!up)('postgres specifics', () => {
  it('bootstraps schema and table with a version row, and refuses another bucket size', async () => {
    const table = 'boot_check';
    const a = await createPostgresStore({ connectionString: POSTGRES_URL, schema, table, bucketMs: 60_000 });
    const b = await createPostgresStore({ connectionString: POSTGRES_URL, schema, table });
    expect(b.bucketMs).toBe(60_000);
    const meta = await adminQuery(`SELECT key, value FROM "${schema}"."${table}_meta" ORDER BY key`);
    expect(meta.rows).toEqual([
      { key: 'bucket_ms', value: '60000' },
      { key: 'schema_version', value: '1' },
    ]);
    const pk = await adminQuery(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
      [`"${schema}"."${table}"`],
    );
    expect(pk.rows.map((r) => r.attname)).toEqual(['channel_id', 'bucket', 'message_id']);
    await expect(
      createPostgresStore({ connectionString: POSTGRES_URL, schema, table, bucketMs: 120_000 }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await a.close();
    await b.close();
  });

  it('bootstraps concurrently without errors', async () => {
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        createPostgresStore({ connectionString: POSTGRES_URL, schema, table: 'boot_race' }),
      ),
    );
    await Promise.all(stores.map((s) => s.close()));
  });

  it('compresses long content (deflate), reads it back, and reads rows written without compression', async () => {
    const table = 'compressed';
    const z = await createPostgresStore({ connectionString: POSTGRES_URL, schema, table, compression: 'deflate' });
    const plain = await createPostgresStore({ connectionString: POSTGRES_URL, schema, table });
    const channelId = freshChannelId();
    const long = 'the quick brown fox jumps over the lazy dog 🦊 '.repeat(40);
    const [a, b, c] = [0, 1, 2].map((k) => idInBucket(presentBucket(z.bucketMs), z.bucketMs, k));
    await z.create(message(channelId, a!, long));
    await z.create(message(channelId, b!, 'short'));
    await plain.create(message(channelId, c!, long));
    await z.edit(channelId, b!, { content: `${long}edited` });
    const rows = await adminQuery(
      `SELECT enc, octet_length(content_z) AS z FROM "${schema}"."${table}" WHERE channel_id = $1 ORDER BY message_id`,
      [channelId],
    );
    expect(rows.rows.map((r) => r.enc)).toEqual([1, 1, 0]);
    expect(rows.rows[0].z).toBeLessThan(long.length / 4);
    expect((await plain.list(channelId)).map((m) => m.content)).toEqual([long, `${long}edited`, long]);
    expect((await z.get(channelId, c!))?.content).toBe(long);
    await z.close();
    await plain.close();
  });

  it('rejects with UNAVAILABLE when the server cannot be reached', async () => {
    await expect(
      createPostgresStore({ connectionString: 'postgres://concord:concord@127.0.0.1:1/concord', schema }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('killed backends under concurrent creates: typed errors, no partial or duplicate rows', async () => {
    const store = await createPostgresStore({
      connectionString: POSTGRES_URL,
      schema,
      table: 'fault_terminate',
      bucketMs: 3_600_000,
      poolConfig: { max: 8, application_name: 'concord-fault-terminate' },
    });
    const channelId = freshChannelId();
    const kill = () =>
      adminQuery(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'concord-fault-terminate'`,
      ).then(() => undefined);
    const outcome = await createUnderFault(store, channelId, async (failedYet) => {
      for (let i = 0; i < 200 && !failedYet(); i++) {
        await kill();
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    expect(outcome.rejected.length).toBeGreaterThan(0);
    const rows = await retry(() => readBack(store, channelId));
    checkOutcome(rows, outcome, channelId);
    await store.close();
  }, 60_000);

  it.skipIf(!SCRIPT_MANAGED)(
    'server stopped under concurrent creates, then restarted: typed errors, no partial or duplicate rows',
    {
      timeout: 120_000,
    },
    async () => {
      const store = await createPostgresStore({
        connectionString: POSTGRES_URL,
        schema,
        table: 'fault_stop',
        bucketMs: 3_600_000,
        poolConfig: { max: 8, connectionTimeoutMillis: 2000 },
      });
      const channelId = freshChannelId();
      // Other test files (the entity store's) use the same server: stop it only while none of them runs.
      const outcome = await withExclusivePostgresServer(async () => {
        try {
          return await createUnderFault(store, channelId, () => serviceScript('stop'));
        } finally {
          await serviceScript('start');
        }
      });
      expect(outcome.rejected.length).toBeGreaterThan(0);
      const rows = await retry(() => readBack(store, channelId));
      checkOutcome(rows, outcome, channelId);
      // The store keeps working after the restart.
      const later = idInBucket(presentBucket(store.bucketMs) + 50, store.bucketMs, 1);
      await retry(() => store.create(message(channelId, later, 'after restart')));
      expect((await store.get(channelId, later))?.content).toBe('after restart');
      await store.close();
    },
  );
});
