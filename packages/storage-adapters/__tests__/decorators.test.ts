import { describe, expect, it } from 'vitest';
import {
  freshChannelId,
  idInBucket,
  message,
  newestFirst,
  presentBucket,
  runMessageStoreConformance,
} from '../src/conformance/index.js';
import {
  type BackfillCheckpoint,
  type BucketedStore,
  backfill,
  createInMemoryStore,
  createMigratingStore,
  type MessageStore,
  type StoredMessage,
  withCoalescing,
} from '../src/index.js';
import { createSqliteStore } from '../src/sqlite/index.js';

runMessageStoreConformance('withCoalescing(memory)', ({ bucketMs }) =>
  withCoalescing(createInMemoryStore({ bucketMs })),
);
for (const phase of ['dual-write', 'read-new', 'new-only'] as const) {
  runMessageStoreConformance(`createMigratingStore(${phase})`, ({ bucketMs }) =>
    createMigratingStore({ from: createInMemoryStore({ bucketMs }), to: createSqliteStore({ bucketMs }), phase }),
  );
}

/** Counts calls reaching the store, i.e. database queries for a single-query-per-read adapter. */
function counting<T extends MessageStore>(store: T) {
  const counts = { get: 0, list: 0 };
  const wrapped: MessageStore = {
    get bucketMs() {
      return store.bucketMs;
    },
    get: (c, m) => {
      counts.get++;
      return store.get(c, m);
    },
    list: (c, q) => {
      counts.list++;
      return store.list(c, q);
    },
    create: (m) => store.create(m),
    edit: (c, m, p) => store.edit(c, m, p),
    delete: (c, m) => store.delete(c, m),
    bulkDelete: (c, ids) => store.bulkDelete(c, ids),
    close: () => store.close(),
  };
  return { counts, wrapped };
}

async function seedChannel(store: MessageStore, channelId: string, n: number, spread = 1) {
  const base = presentBucket(store.bucketMs);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = idInBucket(base + Math.floor(i / spread), store.bucketMs, i);
    await store.create(message(channelId, id, `m${i}`));
    ids.push(id);
  }
  return ids;
}

describe('withCoalescing', () => {
  it('1,000 concurrent identical reads cause one query', async () => {
    let scans = 0;
    const sqlite = createSqliteStore({ onScan: () => scans++ });
    const channelId = freshChannelId();
    await seedChannel(sqlite, channelId, 60);
    const { counts, wrapped } = counting(sqlite);
    const store = withCoalescing(wrapped);
    scans = 0;
    const pages = await Promise.all(Array.from({ length: 1000 }, () => store.list(channelId, { limit: 50 })));
    expect(counts.list).toBe(1);
    expect(scans).toBe(1);
    expect(store.stats).toEqual({ calls: 1, coalesced: 999 });
    expect(new Set(pages.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(pages[0]).toHaveLength(50);
    // Each caller owns its copy.
    pages[0]![0]!.content = 'mutated';
    expect(pages[1]![0]!.content).not.toBe('mutated');
    const gets = await Promise.all(Array.from({ length: 1000 }, () => store.get(channelId, pages[1]![0]!.id)));
    expect(counts.get).toBe(1);
    expect(gets.every((g) => g?.content === 'm59')).toBe(true);
    await store.close();
  });

  it('does not merge different queries, and starts fresh after the first settles', async () => {
    const { counts, wrapped } = counting(createInMemoryStore());
    const store = withCoalescing(wrapped);
    const channelId = freshChannelId();
    await Promise.all([
      store.list(channelId, { limit: 5 }),
      store.list(channelId, { limit: 6 }),
      store.list(channelId),
      store.list(channelId, { limit: undefined }),
      store.list(channelId, { limit: null as unknown as number }).catch(() => null),
      store.list(freshChannelId(), { limit: 5 }),
    ]);
    expect(counts.list).toBe(5);
    await store.list(channelId, { limit: 5 });
    expect(counts.list).toBe(6);
  });

  it('a read issued after a write never joins a read started before it', async () => {
    const inner = createInMemoryStore();
    const store = withCoalescing(inner);
    const channelId = freshChannelId();
    const [id] = await seedChannel(inner, channelId, 1);
    const before = store.get(channelId, id!);
    await store.edit(channelId, id!, { content: 'edited' });
    const after = store.get(channelId, id!);
    expect((await before)?.content).toBe('m0');
    expect((await after)?.content).toBe('edited');
    expect(store.stats.calls).toBe(2);
  });

  it('shares rejections too', async () => {
    const { counts, wrapped } = counting(createInMemoryStore());
    const store = withCoalescing(wrapped);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.list('bad')));
    expect(counts.list).toBe(1);
    expect(
      results.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'INVALID_ARGUMENT'),
    ).toBe(true);
  });
});

async function allRows(store: BucketedStore, channelId: string): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await store.list(channelId, { limit: 100, includeDeleted: true, ...(before ? { before } : {}) });
    out.push(...page);
    if (page.length < 100) return out;
    before = page[page.length - 1]!.id;
  }
}

describe('createMigratingStore', () => {
  it('dual-write mirrors creates, edits and deletes as whole rows', async () => {
    const from = createInMemoryStore({ bucketMs: 3_600_000 });
    const to = createSqliteStore({ bucketMs: 3_600_000 });
    const store = createMigratingStore({ from, to, phase: 'dual-write' });
    const channelId = freshChannelId();
    const ids = await seedChannel(store, channelId, 5);
    await store.edit(channelId, ids[0]!, { content: 'edited', pinned: true });
    await store.delete(channelId, ids[1]!);
    expect(await store.bulkDelete(channelId, [ids[2]!, ids[3]!])).toBe(2);
    expect(await allRows(to, channelId)).toEqual(await allRows(from, channelId));
    expect(store.stats.mirrorErrors).toBe(0);
  });

  it('read-new falls back to the old store for rows not yet copied, and copies them on write', async () => {
    const from = createInMemoryStore();
    const to = createInMemoryStore();
    const channelId = freshChannelId();
    const old = await seedChannel(from, channelId, 3);
    const store = createMigratingStore({ from, to, phase: 'read-new' });
    expect((await store.get(channelId, old[0]!))?.content).toBe('m0');
    expect(store.stats.fallbackReads).toBe(1);
    await store.edit(channelId, old[1]!, { content: 'edited in read-new' });
    expect((await to.get(channelId, old[1]!))?.content).toBe('edited in read-new');
    expect((await from.get(channelId, old[1]!))?.content).toBe('edited in read-new');
    store.phase = 'new-only';
    expect(await store.get(channelId, old[0]!)).toBeNull();
  });

  it('a failing mirror is reported, not thrown', async () => {
    const from = createInMemoryStore();
    const to = createInMemoryStore();
    const errors: string[] = [];
    const broken: BucketedStore = {
      ...to,
      putRaw: async () => {
        throw Object.assign(new Error('down'), { code: 'UNAVAILABLE' });
      },
    };
    const store = createMigratingStore({
      from,
      to: broken,
      phase: 'dual-write',
      onMirrorError: (_, op) => errors.push(op),
    });
    const channelId = freshChannelId();
    await seedChannel(store, channelId, 2);
    expect(errors).toEqual(['create', 'create']);
    expect(store.stats.mirrorErrors).toBe(2);
    expect(await from.list(channelId)).toHaveLength(2);
  });
});

describe('backfill', () => {
  async function source() {
    const from = createInMemoryStore({ bucketMs: 60_000 });
    const channels = [freshChannelId(), freshChannelId(), freshChannelId(), freshChannelId()];
    // Channel 0: 300 messages over 60 buckets; 1: empty; 2: sparse buckets far apart; 3: 5 messages in one bucket.
    const a = await seedChannel(from, channels[0]!, 300, 5);
    await from.edit(channels[0]!, a[7]!, { content: 'edited', extra: { e: 1 } });
    await from.bulkDelete(channels[0]!, a.slice(100, 140));
    const base = presentBucket(from.bucketMs);
    for (const [i, b] of [0, 500, 5000].entries())
      await from.create(message(channels[2]!, idInBucket(base + b, 60_000, i)));
    await seedChannel(from, channels[3]!, 5, 100);
    return { from, channels };
  }

  async function expectEqual(from: BucketedStore, to: BucketedStore, channels: string[]) {
    for (const c of channels) {
      const expected = await allRows(from, c);
      const actual = await allRows(to, c);
      expect(actual).toEqual(expected);
      expect(new Set(actual.map((r) => r.id)).size).toBe(actual.length);
    }
  }

  it('copies every channel bucket by bucket, tombstones and edits included', async () => {
    const { from, channels } = await source();
    const to = createSqliteStore({ bucketMs: 60_000 });
    const result = await backfill({ from, to, channelIds: channels, batchSize: 7 });
    expect(result.copied).toBe(300 + 3 + 5);
    // Only non-empty buckets are visited: 60 + 3 + 1.
    expect(result.buckets).toBe(64);
    await expectEqual(from, to, channels);
    // A second pass writes nothing.
    const again = await backfill({ from, to, channelIds: channels, batchSize: 7 });
    expect(again).toMatchObject({ copied: 0, unchanged: 308 });
  });

  it('resumes after a crash in the checkpoint store and ends equal to the source', async () => {
    const { from, channels } = await source();
    const to = createSqliteStore({ bucketMs: 60_000 });
    let saved: BackfillCheckpoint | null = null;
    let saves = 0;
    const crashing = {
      load: async () => saved,
      save: async (cp: BackfillCheckpoint) => {
        if (++saves === 23) throw new Error('crash');
        saved = structuredClone(cp);
      },
    };
    await expect(backfill({ from, to, channelIds: channels, checkpoint: crashing, batchSize: 4 })).rejects.toThrow(
      'crash',
    );
    expect(saved).not.toBeNull();
    const partial = (await allRows(to, channels[0]!)).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(300);
    const resumed = await backfill({ from, to, channelIds: channels, checkpoint: crashing, batchSize: 4 });
    // The resumed run starts where the checkpoint stopped instead of from the beginning.
    expect(resumed.unchanged).toBeLessThan(partial);
    await expectEqual(from, to, channels);
  });

  it('resumes after the target fails mid-way', async () => {
    const { from, channels } = await source();
    const to = createInMemoryStore({ bucketMs: 60_000 });
    let puts = 0;
    let failing = true;
    const flaky: BucketedStore = {
      ...to,
      putRaw: async (m) => {
        if (failing && ++puts === 150) throw Object.assign(new Error('gone'), { code: 'UNAVAILABLE' });
        return to.putRaw(m);
      },
    };
    let saved: BackfillCheckpoint | null = null;
    const checkpoint = {
      load: async () => saved,
      save: async (cp: BackfillCheckpoint) => {
        saved = cp;
      },
    };
    await expect(backfill({ from, to: flaky, channelIds: channels, checkpoint, batchSize: 16 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    failing = false;
    await backfill({ from, to: flaky, channelIds: channels, checkpoint, batchSize: 16 });
    await expectEqual(from, to, channels);
  });

  it('during dual-write, backfill plus mirrored writes converge', async () => {
    const { from, channels } = await source();
    const to = createSqliteStore({ bucketMs: 60_000 });
    const store = createMigratingStore({ from, to, phase: 'dual-write' });
    const c = channels[0]!;
    const copying = backfill({ from, to, channelIds: channels, batchSize: 10 });
    const live = newestFirst((await from.list(c, { limit: 100 })).map((m) => m.id));
    await store.edit(c, live[3]!, { content: 'edited during backfill' });
    await store.delete(c, live[4]!);
    await seedChannel(store, channels[1]!, 3);
    await copying;
    // Second pass, as documented, repairs a row copied between its read and the mirrored edit.
    await backfill({ from, to, channelIds: channels, batchSize: 10 });
    await expectEqual(from, to, channels);
  });
});
