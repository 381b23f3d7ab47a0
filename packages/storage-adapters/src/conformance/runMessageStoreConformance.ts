import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstIdOfBucket, lastIdOfBucket, MAX_SNOWFLAKE, MAX_SNOWFLAKE_TIMESTAMP_OFFSET } from '../ids.js';
import { type BucketedStore, isBucketedStore, type MessageStore, type StoredMessage } from '../MessageStore.js';
import {
  FIXTURE_NOW,
  freshChannelId,
  idAt,
  idInBucket,
  idsOf,
  message,
  newestFirst,
  presentBucket,
  shuffled,
} from './fixtures.js';

export interface ConformanceFactoryOptions {
  /**
   * Bucket span the suite would like. An adapter may ignore it: every case derives its ids from `store.bucketMs`.
   */
  bucketMs?: number;
}

export type MessageStoreFactory = (options: ConformanceFactoryOptions) => MessageStore | Promise<MessageStore>;

export interface ConformanceOptions {
  /** Small bucket span for the many-buckets cases (default one hour). */
  smallBucketMs?: number;
  /** Parallel creates in the concurrent-writers case (default 200). */
  concurrency?: number;
  /** Per-test timeout in ms (default 20 000). */
  timeout?: number;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

/** Creates messages one at a time (deterministic, order given) and returns their ids. */
async function seed(store: MessageStore, channelId: string, ids: string[]): Promise<string[]> {
  for (const id of ids) await store.create(message(channelId, id));
  return ids;
}

/** Walks a whole channel with `before` pages; returns ids newest first. */
async function walkBefore(store: MessageStore, channelId: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await store.list(channelId, before === undefined ? { limit } : { before, limit });
    out.push(...idsOf(page));
    if (page.length < limit) return out;
    before = page[page.length - 1]!.id;
  }
}

/** Walks a whole channel with `after` pages starting below every id; returns ids oldest first. */
async function walkAfter(store: MessageStore, channelId: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let after = '0';
  // '0' itself is a valid id that `after: '0'` excludes; callers that store it check it separately.
  for (;;) {
    const page = await store.list(channelId, { after, limit });
    out.push(...idsOf(page).reverse());
    if (page.length < limit) return out;
    after = page[0]!.id;
  }
}

/**
 * Registers (with vitest's describe/it) the cases every MessageStore must pass. Third-party adapters call it from their
 * own test file: `runMessageStoreConformance('my store', ({ bucketMs }) => createMyStore({ bucketMs }))`.
 */
export function runMessageStoreConformance(
  name: string,
  factory: MessageStoreFactory,
  options: ConformanceOptions = {},
): void {
  const smallBucketMs = options.smallBucketMs ?? 60 * 60 * 1000;
  const concurrency = options.concurrency ?? 200;
  const timeout = options.timeout ?? 20_000;

  describe(`MessageStore conformance: ${name}`, { timeout }, () => {
    let store: MessageStore;
    let small: MessageStore;

    beforeAll(async () => {
      store = await factory({});
      small = await factory({ bucketMs: smallBucketMs });
    });
    afterAll(async () => {
      await store?.close();
      await small?.close();
    });

    /** Ids of consecutive milliseconds near FIXTURE_NOW (all in one or two default buckets). */
    const recentIds = (n: number, startMs = FIXTURE_NOW - 1_420_070_400_000) =>
      Array.from({ length: n }, (_, i) => idAt(startMs + i * 1000, i % 4));

    describe('create / get', () => {
      it('stores a message and reads it back with defaults', async () => {
        const channelId = freshChannelId();
        const [id] = recentIds(1);
        const input = { ...message(channelId, id!, 'hello'), extra: { nonce: 'n1', embeds: [{ title: 'é' }] } };
        const created = await store.create(input);
        const expected: StoredMessage = { ...input, editedAt: null, deleted: false, pinned: false };
        expect(created).toEqual(expected);
        expect(await store.get(channelId, id!)).toEqual(expected);
      });

      it('keeps guildId null, pinned, type and flags', async () => {
        const channelId = freshChannelId();
        const [id] = recentIds(1);
        await store.create({ ...message(channelId, id!), guildId: null, pinned: true, type: 19, flags: 4 });
        expect(await store.get(channelId, id!)).toMatchObject({ guildId: null, pinned: true, type: 19, flags: 4 });
      });

      it('returns null for absent ids and other channels', async () => {
        const channelId = freshChannelId();
        const [id, other] = recentIds(2);
        await store.create(message(channelId, id!));
        expect(await store.get(channelId, other!)).toBeNull();
        expect(await store.get(freshChannelId(), id!)).toBeNull();
      });

      it('rejects a duplicate id with DUPLICATE and keeps the original', async () => {
        const channelId = freshChannelId();
        const [id] = recentIds(1);
        await store.create(message(channelId, id!, 'first'));
        await rejectsWith(store.create(message(channelId, id!, 'second')), 'DUPLICATE');
        expect((await store.get(channelId, id!))?.content).toBe('first');
        await store.delete(channelId, id!);
        await rejectsWith(store.create(message(channelId, id!, 'third')), 'DUPLICATE');
        expect(await store.list(channelId, { includeDeleted: true })).toHaveLength(1);
      });

      it('lets exactly one of many concurrent creates of the same id win', async () => {
        const channelId = freshChannelId();
        const [id] = recentIds(1);
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.create(message(channelId, id!, `racer ${i}`))),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'DUPLICATE' });
        expect(await store.list(channelId, { includeDeleted: true })).toHaveLength(1);
      });
    });

    describe('edit / delete / bulk delete', () => {
      it('edits content, flags and extra and sets editedAt', async () => {
        const channelId = freshChannelId();
        const [id] = recentIds(1);
        await store.create(message(channelId, id!, 'before'));
        const t0 = Date.now();
        const edited = await store.edit(channelId, id!, { content: 'after', flags: 2, extra: { a: [1, 2] } });
        expect(edited).toMatchObject({ content: 'after', flags: 2, extra: { a: [1, 2] }, deleted: false });
        expect(edited.editedAt).toBeGreaterThanOrEqual(t0);
        expect(await store.get(channelId, id!)).toEqual(edited);
        expect((await store.list(channelId))[0]).toEqual(edited);
      });

      it('uses an explicit editedAt, and pinning alone is not an edit', async () => {
        const channelId = freshChannelId();
        const [a, b] = recentIds(2);
        await seed(store, channelId, [a!, b!]);
        expect((await store.edit(channelId, a!, { content: 'x', editedAt: 1_700_000_000_000 })).editedAt).toBe(
          1_700_000_000_000,
        );
        const pinned = await store.edit(channelId, b!, { pinned: true });
        expect(pinned).toMatchObject({ pinned: true, editedAt: null });
        const cleared = await store.edit(channelId, a!, { extra: null });
        expect(cleared.extra).toBeNull();
      });

      it('rejects editing absent or deleted messages with NOT_FOUND', async () => {
        const channelId = freshChannelId();
        const [a, b] = recentIds(2);
        await store.create(message(channelId, a!));
        await rejectsWith(store.edit(channelId, b!, { content: 'x' }), 'NOT_FOUND');
        await store.delete(channelId, a!);
        await rejectsWith(store.edit(channelId, a!, { content: 'x' }), 'NOT_FOUND');
      });

      it('deletes as a tombstone: content cleared, row kept, hidden from lists by default', async () => {
        const channelId = freshChannelId();
        const [a, b] = recentIds(2);
        await seed(store, channelId, [a!, b!]);
        await store.edit(channelId, a!, { pinned: true, extra: { x: 1 } });
        expect(await store.delete(channelId, a!)).toBe(true);
        expect(await store.delete(channelId, a!)).toBe(false);
        expect(await store.delete(channelId, recentIds(3)[2]!)).toBe(false);
        const tomb = await store.get(channelId, a!);
        expect(tomb).toMatchObject({ id: a, deleted: true, content: '', extra: null, pinned: false });
        expect(idsOf(await store.list(channelId))).toEqual([b]);
        expect(idsOf(await store.list(channelId, { includeDeleted: true }))).toEqual([b, a]);
      });

      it('bulk deletes, counting only live messages', async () => {
        const channelId = freshChannelId();
        const ids = await seed(store, channelId, recentIds(6));
        await store.delete(channelId, ids[0]!);
        const absent = idAt(FIXTURE_NOW - 1_420_070_400_000 + 999_999);
        expect(await store.bulkDelete(channelId, [ids[0]!, ids[1]!, ids[2]!, ids[2]!, absent])).toBe(2);
        expect(await store.bulkDelete(channelId, [])).toBe(0);
        expect(idsOf(await store.list(channelId))).toEqual(newestFirst(ids.slice(3)));
        await rejectsWith(store.bulkDelete(channelId, recentIds(101)), 'INVALID_ARGUMENT');
        await rejectsWith(store.bulkDelete(channelId, [ids[3]!, 'nope']), 'INVALID_ARGUMENT');
        // A rejected batch deletes nothing.
        expect(idsOf(await store.list(channelId))).toEqual(newestFirst(ids.slice(3)));
      });
    });

    describe('ordering and limits', () => {
      it('lists newest first with default limit 50, and limits 1 and 100', async () => {
        const channelId = freshChannelId();
        const ids = recentIds(120);
        await Promise.all(shuffled(ids).map((id) => store.create(message(channelId, id))));
        const all = newestFirst(ids);
        expect(idsOf(await store.list(channelId))).toEqual(all.slice(0, 50));
        expect(idsOf(await store.list(channelId, {}))).toEqual(all.slice(0, 50));
        expect(idsOf(await store.list(channelId, { limit: 1 }))).toEqual(all.slice(0, 1));
        expect(idsOf(await store.list(channelId, { limit: 100 }))).toEqual(all.slice(0, 100));
      });

      it('returns [] for an unknown channel and for cursors beyond either end', async () => {
        expect(await store.list(freshChannelId())).toEqual([]);
        const channelId = freshChannelId();
        const ids = await seed(store, channelId, recentIds(3));
        expect(await store.list(channelId, { before: ids[0]! })).toEqual([]);
        expect(await store.list(channelId, { after: ids[2]! })).toEqual([]);
        expect(await store.list(channelId, { before: '0' })).toEqual([]);
        expect(await store.list(channelId, { after: MAX_SNOWFLAKE.toString() })).toEqual([]);
      });

      it('before / after / around follow Discord semantics', async () => {
        const channelId = freshChannelId();
        const asc = await seed(store, channelId, recentIds(30));
        const desc = newestFirst(asc);
        // before: the newest `limit` below the cursor
        expect(idsOf(await store.list(channelId, { before: asc[10]!, limit: 5 }))).toEqual(desc.slice(20, 25));
        // after: the OLDEST `limit` above the cursor, returned newest first
        expect(idsOf(await store.list(channelId, { after: asc[10]!, limit: 5 }))).toEqual(desc.slice(14, 19));
        // around in the middle: floor(limit/2) newer, then the cursor and older ones
        expect(idsOf(await store.list(channelId, { around: asc[15]!, limit: 10 }))).toEqual(
          newestFirst(asc.slice(11, 21)),
        );
        expect(idsOf(await store.list(channelId, { around: asc[15]!, limit: 1 }))).toEqual([asc[15]]);
        expect(idsOf(await store.list(channelId, { around: asc[15]!, limit: 2 }))).toEqual([asc[16], asc[15]]);
      });

      it('around at both ends of a channel still fills the page', async () => {
        const channelId = freshChannelId();
        const asc = await seed(store, channelId, recentIds(30));
        expect(idsOf(await store.list(channelId, { around: asc[29]!, limit: 10 }))).toEqual(
          newestFirst(asc.slice(20, 30)),
        );
        expect(idsOf(await store.list(channelId, { around: asc[27]!, limit: 10 }))).toEqual(
          newestFirst(asc.slice(20, 30)),
        );
        expect(idsOf(await store.list(channelId, { around: asc[0]!, limit: 10 }))).toEqual(
          newestFirst(asc.slice(0, 10)),
        );
        expect(idsOf(await store.list(channelId, { around: asc[1]!, limit: 10 }))).toEqual(
          newestFirst(asc.slice(0, 10)),
        );
        // Around a cursor below or above every message.
        expect(idsOf(await store.list(channelId, { around: '1', limit: 4 }))).toEqual(newestFirst(asc.slice(0, 4)));
        expect(idsOf(await store.list(channelId, { around: MAX_SNOWFLAKE.toString(), limit: 4 }))).toEqual(
          newestFirst(asc.slice(26, 30)),
        );
        // A channel smaller than the page.
        const tiny = freshChannelId();
        const three = await seed(store, tiny, recentIds(3));
        expect(idsOf(await store.list(tiny, { around: three[1]!, limit: 50 }))).toEqual(newestFirst(three));
      });

      it('around a deleted or absent id centres on its position', async () => {
        const channelId = freshChannelId();
        const all = recentIds(21);
        const asc = all.filter((_, i) => i !== 10);
        await seed(store, channelId, asc);
        const gap = all[10]!;
        expect(idsOf(await store.list(channelId, { around: gap, limit: 4 }))).toEqual(
          newestFirst(all.slice(8, 13).filter((id) => id !== gap)),
        );
        await store.delete(channelId, asc[5]!);
        const page = idsOf(await store.list(channelId, { around: asc[5]!, limit: 4 }));
        expect(page).toEqual([asc[7], asc[6], asc[4], asc[3]]);
        expect(idsOf(await store.list(channelId, { around: asc[5]!, limit: 4, includeDeleted: true }))).toEqual([
          asc[7],
          asc[6],
          asc[5],
          asc[4],
        ]);
      });
    });

    describe('buckets', () => {
      it('walks across many buckets with empty buckets between populated ones', async () => {
        const s = small;
        const channelId = freshChannelId();
        const base = presentBucket(s.bucketMs);
        // 3 messages in every third bucket over 60 buckets, including first and last id of a bucket.
        const ids: string[] = [];
        for (let b = 0; b < 60; b += 3) {
          const bucket = base + b;
          ids.push(
            firstIdOfBucket(bucket, s.bucketMs).toString(),
            idInBucket(bucket, s.bucketMs, 7),
            lastIdOfBucket(bucket, s.bucketMs).toString(),
          );
        }
        await Promise.all(shuffled(ids).map((id) => s.create(message(channelId, id))));
        const desc = newestFirst(ids);
        for (const limit of [1, 2, 3, 4, 7, 50, 100]) {
          expect(await walkBefore(s, channelId, limit)).toEqual(desc);
          expect(await walkAfter(s, channelId, limit)).toEqual([...desc].reverse());
        }
      });

      it('pages exactly at bucket boundaries', async () => {
        const s = small;
        const channelId = freshChannelId();
        const b = presentBucket(s.bucketMs) + 100;
        const lastOfPrev = lastIdOfBucket(b - 1, s.bucketMs).toString();
        const first = firstIdOfBucket(b, s.bucketMs).toString();
        const last = lastIdOfBucket(b, s.bucketMs).toString();
        const firstOfNext = firstIdOfBucket(b + 1, s.bucketMs).toString();
        const farNext = firstIdOfBucket(b + 40, s.bucketMs).toString();
        const farPrev = lastIdOfBucket(b - 40, s.bucketMs).toString();
        await seed(s, channelId, [farPrev, lastOfPrev, first, last, firstOfNext, farNext]);
        expect(idsOf(await s.list(channelId, { before: first, limit: 1 }))).toEqual([lastOfPrev]);
        expect(idsOf(await s.list(channelId, { before: first, limit: 2 }))).toEqual([lastOfPrev, farPrev]);
        expect(idsOf(await s.list(channelId, { after: last, limit: 1 }))).toEqual([firstOfNext]);
        expect(idsOf(await s.list(channelId, { after: last, limit: 2 }))).toEqual([farNext, firstOfNext]);
        expect(idsOf(await s.list(channelId, { after: lastOfPrev, limit: 2 }))).toEqual([last, first]);
        expect(idsOf(await s.list(channelId, { before: firstOfNext, limit: 2 }))).toEqual([last, first]);
        expect(idsOf(await s.list(channelId, { around: first, limit: 4 }))).toEqual([
          firstOfNext,
          last,
          first,
          lastOfPrev,
        ]);
        expect(idsOf(await s.list(channelId, { around: farNext, limit: 3 }))).toEqual([farNext, firstOfNext, last]);
        expect(idsOf(await s.list(channelId, { around: farPrev, limit: 3 }))).toEqual([first, lastOfPrev, farPrev]);
      });

      it('skips deleted rows while paging and keeps pages full', async () => {
        const s = small;
        const channelId = freshChannelId();
        const base = presentBucket(s.bucketMs);
        const ids = Array.from({ length: 45 }, (_, i) => idInBucket(base + Math.floor(i / 3) * 2, s.bucketMs, i));
        await seed(s, channelId, ids);
        const deleted = ids.filter((_, i) => i % 3 === 1);
        expect(await s.bulkDelete(channelId, deleted)).toBe(deleted.length);
        const live = newestFirst(ids.filter((id) => !deleted.includes(id)));
        expect(await walkBefore(s, channelId, 4)).toEqual(live);
        expect(await walkAfter(s, channelId, 4)).toEqual([...live].reverse());
        expect(idsOf(await s.list(channelId, { limit: 100, includeDeleted: true }))).toEqual(newestFirst(ids));
        // Deleting everything in the newest buckets: the newest page comes from older buckets.
        await s.bulkDelete(channelId, ids.slice(30));
        expect(idsOf(await s.list(channelId, { limit: 3 }))).toEqual(
          live.filter((id) => ids.indexOf(id) < 30).slice(0, 3),
        );
      });
    });

    describe('concurrent writers', () => {
      it(`${concurrency} parallel creates are each listed exactly once, in order`, async () => {
        const s = small;
        const channelId = freshChannelId();
        const base = presentBucket(s.bucketMs);
        const ids = Array.from({ length: concurrency }, (_, i) => idInBucket(base + (i % 13), s.bucketMs, i));
        const created = await Promise.all(shuffled(ids, 7).map((id) => s.create(message(channelId, id))));
        expect(created).toHaveLength(concurrency);
        const desc = newestFirst(ids);
        expect(await walkBefore(s, channelId, 100)).toEqual(desc);
        expect(await walkAfter(s, channelId, 37)).toEqual([...desc].reverse());
      });

      it('parallel writers on separate channels do not see each other', async () => {
        const channels = Array.from({ length: 8 }, () => freshChannelId());
        const ids = recentIds(25);
        await Promise.all(channels.flatMap((c) => ids.map((id) => store.create(message(c, id, c)))));
        for (const c of channels) {
          const page = await store.list(c, { limit: 100 });
          expect(idsOf(page)).toEqual(newestFirst(ids));
          expect(page.every((m) => m.content === c && m.channelId === c)).toBe(true);
        }
      });
    });

    describe('content', () => {
      const samples = [
        'emoji 😀👍🏽👨‍👩‍👧‍👦🏳️‍🌈',
        'RTL: مرحبا بالعالم — שלום עולם',
        'combining: é (e\u0301) n\u0303 Z\u0351\u0352\u0353',
        'CJK 漢字かなカナ 한국어',
        'astral 𝕳𝖊𝖑𝖑𝖔 𓀀',
        '  leading and trailing spaces \t\n',
        'quotes \' " ` \\ and %_ sql wildcards',
        '',
      ];

      it('round-trips unicode exactly', async () => {
        const channelId = freshChannelId();
        const ids = recentIds(samples.length);
        for (const [i, content] of samples.entries()) await store.create(message(channelId, ids[i]!, content));
        for (const [i, content] of samples.entries())
          expect((await store.get(channelId, ids[i]!))?.content).toBe(content);
        const page = await store.list(channelId);
        expect(page.map((m) => m.content)).toEqual([...samples].reverse());
      });

      it('stores 4000-character content, rejects 4001, NUL and lone surrogates', async () => {
        const channelId = freshChannelId();
        const [a, b, c] = recentIds(3);
        const ascii = 'lorem ipsum '.repeat(400).slice(0, 4000);
        const emoji = '😀'.repeat(4000);
        await store.create(message(channelId, a!, ascii));
        await store.create(message(channelId, b!, emoji));
        expect((await store.get(channelId, a!))?.content).toBe(ascii);
        expect((await store.get(channelId, b!))?.content).toBe(emoji);
        await rejectsWith(store.create(message(channelId, c!, `${ascii}x`)), 'INVALID_ARGUMENT');
        await rejectsWith(store.create(message(channelId, c!, 'nul \u0000 here')), 'INVALID_ARGUMENT');
        await rejectsWith(store.create(message(channelId, c!, 'lone \ud800 surrogate')), 'INVALID_ARGUMENT');
        await rejectsWith(store.edit(channelId, a!, { content: `${emoji}😀` }), 'INVALID_ARGUMENT');
        expect(await store.get(channelId, c!)).toBeNull();
      });
    });

    describe('ids at the edges of time', () => {
      it('stores ids at the epoch and at the largest 42-bit timestamp, in order', async () => {
        const channelId = freshChannelId();
        const epoch = ['0', '1', idAt(0, 4_194_303)];
        const future = [idAt(MAX_SNOWFLAKE_TIMESTAMP_OFFSET, 0), MAX_SNOWFLAKE.toString()];
        const middle = recentIds(2);
        await Promise.all([...epoch, ...future, ...middle].map((id) => store.create(message(channelId, id))));
        const desc = newestFirst([...epoch, ...future, ...middle]);
        expect(idsOf(await store.list(channelId))).toEqual(desc);
        expect(await store.get(channelId, '0')).toMatchObject({ id: '0' });
        expect(await store.get(channelId, MAX_SNOWFLAKE.toString())).toMatchObject({ id: MAX_SNOWFLAKE.toString() });
        expect(idsOf(await store.list(channelId, { before: MAX_SNOWFLAKE.toString(), limit: 2 }))).toEqual(
          desc.slice(1, 3),
        );
        expect(idsOf(await store.list(channelId, { after: '0', limit: 2 }))).toEqual([epoch[2], epoch[1]]);
        expect(idsOf(await store.list(channelId, { around: '0', limit: 3 }))).toEqual(desc.slice(-3));
        expect(idsOf(await store.list(channelId, { around: MAX_SNOWFLAKE.toString(), limit: 3 }))).toEqual(
          desc.slice(0, 3),
        );
        expect(await store.delete(channelId, MAX_SNOWFLAKE.toString())).toBe(true);
        expect(idsOf(await store.list(channelId, { limit: 1 }))).toEqual([desc[1]]);
      });
    });

    describe('validation', () => {
      const badIds: unknown[] = [
        '',
        'abc',
        '-1',
        '01',
        '1.5',
        ' 1',
        '1e3',
        '18446744073709551616',
        123,
        null,
        undefined,
        {},
      ];

      it('rejects malformed ids everywhere with INVALID_ARGUMENT', async () => {
        const channelId = freshChannelId();
        const [ok] = recentIds(1);
        await store.create(message(channelId, ok!));
        for (const bad of badIds) {
          const b = bad as string;
          await rejectsWith(store.create(message(channelId, b)), 'INVALID_ARGUMENT');
          await rejectsWith(store.create(message(b, ok!)), 'INVALID_ARGUMENT');
          await rejectsWith(store.create({ ...message(channelId, ok!), authorId: b }), 'INVALID_ARGUMENT');
          await rejectsWith(store.get(channelId, b), 'INVALID_ARGUMENT');
          await rejectsWith(store.get(b, ok!), 'INVALID_ARGUMENT');
          await rejectsWith(store.edit(channelId, b, { content: 'x' }), 'INVALID_ARGUMENT');
          await rejectsWith(store.delete(channelId, b), 'INVALID_ARGUMENT');
          await rejectsWith(store.list(b), 'INVALID_ARGUMENT');
          if (bad !== undefined) {
            await rejectsWith(store.list(channelId, { before: b }), 'INVALID_ARGUMENT');
            await rejectsWith(store.list(channelId, { after: b }), 'INVALID_ARGUMENT');
            await rejectsWith(store.list(channelId, { around: b }), 'INVALID_ARGUMENT');
          }
        }
        expect(idsOf(await store.list(channelId))).toEqual([ok]);
      });

      it('rejects limits outside 1..100 and more than one cursor', async () => {
        const channelId = freshChannelId();
        for (const limit of [0, 101, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '50', null]) {
          await rejectsWith(store.list(channelId, { limit: limit as number }), 'INVALID_ARGUMENT');
        }
        await rejectsWith(store.list(channelId, { before: '10', after: '5' }), 'INVALID_ARGUMENT');
        await rejectsWith(store.list(channelId, { before: '10', around: '5' }), 'INVALID_ARGUMENT');
        await rejectsWith(store.list(channelId, { after: '10', around: '5', before: '1' }), 'INVALID_ARGUMENT');
      });

      it('rejects malformed message fields', async () => {
        const channelId = freshChannelId();
        const [id] = recentIds(1);
        const base = message(channelId, id!);
        const bad: unknown[] = [
          { ...base, content: 42 },
          { ...base, type: -1 },
          { ...base, type: 1.5 },
          { ...base, flags: '0' },
          { ...base, extra: [1, 2] },
          { ...base, extra: 'json' },
          { ...base, pinned: 'yes' },
          null,
        ];
        for (const m of bad) await rejectsWith(store.create(m as never), 'INVALID_ARGUMENT');
        expect(await store.get(channelId, id!)).toBeNull();
        await store.create(base);
        await rejectsWith(store.edit(channelId, id!, { flags: -1 }), 'INVALID_ARGUMENT');
        await rejectsWith(store.edit(channelId, id!, { extra: [] as never }), 'INVALID_ARGUMENT');
        expect((await store.get(channelId, id!))?.editedAt).toBeNull();
      });
    });

    describe('bucketed capabilities (listBucket / channelBuckets / putRaw)', () => {
      it('lists one bucket ascending with tombstones, pages it, and upserts raw rows idempotently', async (ctx) => {
        if (!isBucketedStore(small)) {
          ctx.skip();
          return;
        }
        const s: BucketedStore = small;
        const channelId = freshChannelId();
        const b = presentBucket(s.bucketMs) + 7;
        const ids = [0, 1, 2, 3, 4].map((k) => idInBucket(b, s.bucketMs, k));
        const outside = idInBucket(b + 5, s.bucketMs, 0);
        await seed(s, channelId, [...ids, outside]);
        await s.delete(channelId, ids[2]!);
        const rows = await s.listBucket(channelId, b);
        expect(idsOf(rows)).toEqual(ids);
        expect(rows[2]).toMatchObject({ deleted: true });
        expect(idsOf(await s.listBucket(channelId, b, { afterId: ids[1]!, limit: 2 }))).toEqual(ids.slice(2, 4));
        expect(await s.listBucket(channelId, b + 1)).toEqual([]);
        if (s.channelBuckets) {
          expect(await s.channelBuckets(channelId)).toEqual({ first: b, last: b + 5 });
          expect(await s.channelBuckets(freshChannelId())).toBeNull();
        }
        const copy = freshChannelId();
        for (const row of rows) {
          await s.putRaw({ ...row, channelId: copy });
          await s.putRaw({ ...row, channelId: copy });
        }
        expect(await s.listBucket(copy, b)).toEqual(rows.map((r) => ({ ...r, channelId: copy })));
        await s.putRaw({ ...rows[0]!, channelId: copy, content: 'replaced', editedAt: 5 });
        expect(await s.get(copy, ids[0]!)).toMatchObject({ content: 'replaced', editedAt: 5 });
        expect(await s.listBucket(copy, b)).toHaveLength(5);
      });
    });
  });
}
