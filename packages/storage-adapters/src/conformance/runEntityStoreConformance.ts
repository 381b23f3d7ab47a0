import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ENTITY_LIST_LIMIT,
  type EntityStore,
  type EntityWrite,
  MAX_ENTITY_KEY_LENGTH,
  MAX_ENTITY_LIST_LIMIT,
} from '../entities/EntityStore.js';
import { checkEntityStoreAgainstModel } from './checkEntityStoreAgainstModel.js';

export type EntityStoreFactory = () => EntityStore | Promise<EntityStore>;

export interface EntityConformanceOptions {
  /** Concurrent updates of one record in the lost-update cases (default 50). */
  concurrency?: number;
  /** Runs of the model-based property (default 50). */
  propertyRuns?: number;
  /** Per-test timeout in ms (default 20 000). */
  timeout?: number;
}

let kindCounter = 0;
/** A kind no other case (nor an earlier run against the same database) uses, so cases never see each other's data. */
const freshKind = () => `k${Date.now().toString(36)}${(kindCounter++).toString(36)}`;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

const put = (kind: string, partition: string, id: string, value: unknown, ref?: string | null): EntityWrite =>
  ref === undefined ? { op: 'put', kind, partition, id, value } : { op: 'put', kind, partition, id, value, ref };

/** Ids in the order every adapter must list them: shorter first, then by code point (not by UTF-16 code unit). */
const ORDERED_IDS = ['9', 'B', 'a', '10', '11', 'zz', '\uff01a', '😀', 'abc', '100000000000000000'];

/**
 * Registers (with vitest's describe/it) the cases every EntityStore must pass. Third-party adapters call it from their
 * own test file: `runEntityStoreConformance('my store', () => createMyEntityStore())`. The factory is called twice (a
 * store for the cases, and one that is closed at once); cases use kinds of their own, so a persistent store may be
 * shared with other tests.
 */
export function runEntityStoreConformance(
  name: string,
  factory: EntityStoreFactory,
  options: EntityConformanceOptions = {},
): void {
  const concurrency = options.concurrency ?? 50;
  const timeout = options.timeout ?? 20_000;

  describe(`EntityStore conformance: ${name}`, { timeout }, () => {
    let store: EntityStore;
    beforeAll(async () => {
      store = await factory();
    });
    afterAll(async () => {
      await store?.close();
    });

    /** Puts the ids, shuffled (a fixed permutation), so that insertion order cannot pass for sort order. */
    const seed = async (kind: string, partition: string, ids: string[]) => {
      const shuffled = ids.map((id, i) => ({ id, k: (i * 7919) % ids.length })).sort((a, b) => a.k - b.k);
      await store.write(shuffled.map(({ id }) => put(kind, partition, id, { id })));
    };
    const ids = (records: Array<{ id: string }>) => records.map((r) => r.id);

    describe('get / put / delete', () => {
      it('puts, reads back, overwrites and deletes a record', async () => {
        const kind = freshKind();
        expect(await store.get(kind, 'p', '1')).toBeNull();
        await store.write([put(kind, 'p', '1', { name: 'general', position: 0 })]);
        expect(await store.get(kind, 'p', '1')).toStrictEqual({ name: 'general', position: 0 });
        expect(await store.get(kind, 'other', '1')).toBeNull();
        expect(await store.get(freshKind(), 'p', '1')).toBeNull();
        await store.write([put(kind, 'p', '1', { name: 'renamed' })]);
        expect(await store.get(kind, 'p', '1')).toStrictEqual({ name: 'renamed' });
        await store.write([{ op: 'delete', kind, partition: 'p', id: '1' }]);
        expect(await store.get(kind, 'p', '1')).toBeNull();
        // Deleting an absent record is not an error.
        await store.write([{ op: 'delete', kind, partition: 'p', id: '1' }]);
        await store.write([]);
      });

      it('getMany answers in the order asked and leaves missing records out', async () => {
        const kind = freshKind();
        await store.write([put(kind, 'p', '1', 1, 'r'), put(kind, 'p', '2', 2), put(kind, 'p', '3', 3)]);
        const records = await store.getMany<number>(kind, 'p', ['3', 'missing', '1', '2']);
        expect(records).toStrictEqual([
          { kind, partition: 'p', id: '3', ref: null, value: 3 },
          { kind, partition: 'p', id: '1', ref: 'r', value: 1 },
          { kind, partition: 'p', id: '2', ref: null, value: 2 },
        ]);
        expect(await store.getMany(kind, 'p', [])).toEqual([]);
        expect(await store.getMany(kind, 'other', ['1'])).toEqual([]);
      });

      it('find looks an id up across partitions of its kind only', async () => {
        const kind = freshKind();
        await store.write([put(kind, '20', 'c1', { n: 1 }, 'owner'), put(freshKind(), '5', 'c1', { n: 2 })]);
        expect(await store.find(kind, 'c1')).toStrictEqual({
          kind,
          partition: '20',
          id: 'c1',
          ref: 'owner',
          value: { n: 1 },
        });
        expect(await store.find(kind, 'c2')).toBeNull();
      });

      it('count counts the records of one partition', async () => {
        const kind = freshKind();
        expect(await store.count(kind, 'p')).toBe(0);
        await store.write([put(kind, 'p', '1', 1), put(kind, 'p', '2', 2), put(kind, 'q', '1', 1)]);
        expect(await store.count(kind, 'p')).toBe(2);
        await store.write([put(kind, 'p', '2', 'again'), { op: 'delete', kind, partition: 'p', id: '1' }]);
        expect(await store.count(kind, 'p')).toBe(1);
      });

      it('deletePartition removes the kind in that partition and nothing else', async () => {
        const kind = freshKind();
        const other = freshKind();
        await store.write([
          put(kind, 'g1', '1', 1, 'u'),
          put(kind, 'g1', '2', 2),
          put(kind, 'g2', '1', 1, 'u'),
          put(other, 'g1', '1', 1),
        ]);
        await store.write([{ op: 'deletePartition', kind, partition: 'g1' }]);
        expect(await store.count(kind, 'g1')).toBe(0);
        expect(await store.list(kind, 'g1')).toEqual([]);
        expect(await store.get(kind, 'g2', '1')).toBe(1);
        expect(await store.get(other, 'g1', '1')).toBe(1);
        expect((await store.find(kind, '1'))?.partition).toBe('g2');
        expect((await store.listByRef(kind, 'u')).map((r) => r.partition)).toEqual(['g2']);
      });
    });

    describe('list', () => {
      it('orders ids as snowflakes: shorter first, then by code point', async () => {
        const kind = freshKind();
        await seed(kind, 'p', ORDERED_IDS);
        expect(ids(await store.list(kind, 'p'))).toEqual(ORDERED_IDS);
        expect(await store.list(kind, 'p', { limit: 1 })).toStrictEqual([
          { kind, partition: 'p', id: '9', ref: null, value: { id: '9' } },
        ]);
      });

      it('pages with after, before and limit, always ascending', async () => {
        const kind = freshKind();
        const all = Array.from({ length: 25 }, (_, i) => String(i + 1));
        await seed(kind, 'p', all);
        expect(ids(await store.list(kind, 'p', { limit: 10 }))).toEqual(all.slice(0, 10));
        expect(ids(await store.list(kind, 'p', { after: '10', limit: 10 }))).toEqual(all.slice(10, 20));
        expect(ids(await store.list(kind, 'p', { after: '20', limit: 10 }))).toEqual(all.slice(20));
        expect(ids(await store.list(kind, 'p', { before: '11', limit: 5 }))).toEqual(all.slice(5, 10));
        expect(ids(await store.list(kind, 'p', { before: '3' }))).toEqual(['1', '2']);
        expect(await store.list(kind, 'p', { before: '1' })).toEqual([]);
        expect(await store.list(kind, 'p', { after: '25' })).toEqual([]);
        // Cursors need not be stored ids: 'x' sorts after every one-character digit id and before '10'.
        expect(ids(await store.list(kind, 'p', { after: 'x', limit: 2 }))).toEqual(['10', '11']);
        expect(ids(await store.list(kind, 'p', { before: 'x', limit: 2 }))).toEqual(['8', '9']);
        expect(await store.list(kind, 'missing')).toEqual([]);
      });

      it('walks a whole partition page by page in both directions', async () => {
        const kind = freshKind();
        const all = [...ORDERED_IDS, ...Array.from({ length: 15 }, (_, i) => String(1000 + i * 37))];
        await seed(kind, 'p', all);
        const expected = ids(await store.list(kind, 'p'));
        expect(expected).toHaveLength(all.length);
        // Bounded walks: a cursor that does not advance must fail the case, not spin forever.
        const maxPages = all.length + 1;
        const forward: string[] = [];
        for (let page = await store.list(kind, 'p', { limit: 4 }); page.length > 0; ) {
          forward.push(...ids(page));
          if (forward.length > all.length * 2) break;
          page = await store.list(kind, 'p', { after: page[page.length - 1]!.id, limit: 4 });
        }
        expect(forward).toEqual(expected);
        const backward: string[][] = [];
        let before = 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';
        for (let i = 0; i < maxPages; i++) {
          const page = await store.list(kind, 'p', { before, limit: 3 });
          if (page.length === 0) break;
          backward.unshift(ids(page));
          before = page[0]!.id;
        }
        expect(backward.flat()).toEqual(expected);
      });

      it(`defaults to ${DEFAULT_ENTITY_LIST_LIMIT} records and accepts up to ${MAX_ENTITY_LIST_LIMIT}`, async () => {
        const kind = freshKind();
        await seed(
          kind,
          'p',
          Array.from({ length: DEFAULT_ENTITY_LIST_LIMIT + 5 }, (_, i) => String(i)),
        );
        expect(await store.list(kind, 'p')).toHaveLength(DEFAULT_ENTITY_LIST_LIMIT);
        expect(await store.list(kind, 'p', { limit: MAX_ENTITY_LIST_LIMIT })).toHaveLength(
          DEFAULT_ENTITY_LIST_LIMIT + 5,
        );
      });

      it('listByRef lists a ref across partitions, ordered and paged by partition, then id', async () => {
        const kind = freshKind();
        await store.write([
          put(kind, '200', 'm', 'c', 'u1'),
          put(kind, '30', 'm', 'b', 'u1'),
          put(kind, '4', 'y', 'a2', 'u1'),
          put(kind, '4', 'x', 'a1', 'u1'),
          put(kind, '4', 'z', 'not mine', 'u2'),
          put(kind, '5', 'n', 'no ref'),
          put(freshKind(), '1', 'm', 'other kind', 'u1'),
        ]);
        const values = async (query?: Parameters<EntityStore['listByRef']>[2]) =>
          (await store.listByRef<string>(kind, 'u1', query)).map((r) => r.value);
        expect(await values()).toEqual(['a1', 'a2', 'b', 'c']);
        expect(await values({ limit: 3 })).toEqual(['a1', 'a2', 'b']);
        expect(await values({ after: '4' })).toEqual(['b', 'c']);
        expect(await values({ after: '30', limit: 1 })).toEqual(['c']);
        expect(await values({ before: '200' })).toEqual(['a1', 'a2', 'b']);
        expect(await values({ before: '200', limit: 1 })).toEqual(['b']);
        expect(await values({ before: '4' })).toEqual([]);
        expect(await store.listByRef(kind, 'u1', { limit: 1 })).toStrictEqual([
          { kind, partition: '4', id: 'x', ref: 'u1', value: 'a1' },
        ]);
        // Moving a record to another ref, or putting it without one, takes it off the list.
        await store.write([put(kind, '30', 'm', 'b', 'u2'), put(kind, '200', 'm', 'c')]);
        expect(await values()).toEqual(['a1', 'a2']);
        expect(await store.listByRef(kind, 'nobody')).toEqual([]);
      });

      it('partitionsByRef, where a store has it, answers the partitions of listByRef, in its order and pages', async () => {
        if (!store.partitionsByRef) return;
        const kind = freshKind();
        await store.write([
          put(kind, '200', 'm', 'c', 'u1'),
          put(kind, '30', 'm', 'b', 'u1'),
          put(kind, '4', 'y', 'a2', 'u1'),
          put(kind, '4', 'x', 'a1', 'u1'),
          put(kind, '4', 'z', 'not mine', 'u2'),
          put(kind, '5', 'n', 'no ref'),
          put(freshKind(), '1', 'm', 'other kind', 'u1'),
        ]);
        const queries: (Parameters<EntityStore['listByRef']>[2] | undefined)[] = [
          undefined,
          { limit: 3 },
          { after: '4' },
          { after: '30', limit: 1 },
          { before: '200' },
          { before: '200', limit: 1 },
          { before: '4' },
        ];
        for (const query of queries) {
          const expected = (await store.listByRef(kind, 'u1', query)).map((r) => r.partition);
          expect(await store.partitionsByRef(kind, 'u1', query)).toEqual(expected);
        }
        expect(await store.partitionsByRef(kind, 'u1')).toEqual(['4', '4', '30', '200']);
        expect(await store.partitionsByRef(kind, 'nobody')).toEqual([]);
        await expect(store.partitionsByRef('', 'u1')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      });
    });

    describe('write', () => {
      it('applies a batch in order', async () => {
        const kind = freshKind();
        await store.write([put(kind, 'p', 'keep', 0), put(kind, 'p', 'gone', 0)]);
        await store.write([
          put(kind, 'p', '1', 'first'),
          { op: 'delete', kind, partition: 'p', id: '1' },
          { op: 'delete', kind, partition: 'p', id: '2' },
          put(kind, 'p', '2', 'second'),
          { op: 'deletePartition', kind, partition: 'p' },
          put(kind, 'p', '3', 'third'),
          put(kind, 'p', '3', 'third, again'),
        ]);
        expect(await store.list(kind, 'p')).toStrictEqual([
          { kind, partition: 'p', id: '3', ref: null, value: 'third, again' },
        ]);
      });

      it('is all or nothing: a batch with one invalid write changes nothing', async () => {
        const kind = freshKind();
        await store.write([put(kind, 'p', 'existing', 'before')]);
        const bad: unknown[] = [
          put(kind, 'p', 'x', { n: 1n }),
          put(kind, 'p', 'x'.repeat(MAX_ENTITY_KEY_LENGTH + 1), 1),
          put(kind, 'p', 'x', undefined),
          { op: 'replace', kind, partition: 'p', id: 'x' },
          { op: 'delete', kind, partition: '', id: 'x' },
        ];
        for (const write of bad) {
          await rejectsWith(
            store.write([
              put(kind, 'p', 'new', 'value'),
              { op: 'delete', kind, partition: 'p', id: 'existing' },
              write as EntityWrite,
            ]),
            'INVALID_ARGUMENT',
          );
        }
        await rejectsWith(
          store.write([{ op: 'deletePartition', kind, partition: 'p' }, put(kind, 'p', 'x', () => 1)]),
          'INVALID_ARGUMENT',
        );
        expect(ids(await store.list(kind, 'p'))).toEqual(['existing']);
        expect(await store.get(kind, 'p', 'existing')).toBe('before');
      });
    });

    describe('update', () => {
      it('creates, replaces, leaves and deletes a record', async () => {
        const kind = freshKind();
        const seen: unknown[] = [];
        expect(
          await store.update<{ n: number }>(kind, 'p', '1', (current) => {
            seen.push(current);
            return { value: { n: 1 }, ref: 'owner' };
          }),
        ).toStrictEqual({ n: 1 });
        expect(await store.find(kind, '1')).toMatchObject({ ref: 'owner', value: { n: 1 } });
        // ref left out: kept as it was.
        expect(
          await store.update<{ n: number }>(kind, 'p', '1', (current) => {
            seen.push(current);
            return { value: { n: current!.n + 1 } };
          }),
        ).toStrictEqual({ n: 2 });
        expect(await store.getMany(kind, 'p', ['1'])).toStrictEqual([
          { kind, partition: 'p', id: '1', ref: 'owner', value: { n: 2 } },
        ]);
        expect(seen).toStrictEqual([null, { n: 1 }]);
        // undefined leaves the record as it is, and answers its value.
        expect(await store.update(kind, 'p', '1', () => undefined)).toStrictEqual({ n: 2 });
        await store.update(kind, 'p', '1', (current) => ({ value: current, ref: null }));
        expect(await store.listByRef(kind, 'owner')).toEqual([]);
        expect(await store.update(kind, 'p', '1', () => null)).toBeNull();
        expect(await store.get(kind, 'p', '1')).toBeNull();
        // Leaving or deleting an absent record stores nothing.
        expect(await store.update(kind, 'p', '2', () => undefined)).toBeNull();
        expect(await store.update(kind, 'p', '2', () => null)).toBeNull();
        expect(await store.count(kind, 'p')).toBe(0);
      });

      it('a throwing callback rejects with its error and changes nothing', async () => {
        const kind = freshKind();
        await store.write([put(kind, 'p', '1', { n: 1 }, 'r')]);
        const boom = new Error('boom');
        await expect(
          store.update(kind, 'p', '1', () => {
            throw boom;
          }),
        ).rejects.toBe(boom);
        await expect(
          store.update(kind, 'p', 'absent', () => {
            throw boom;
          }),
        ).rejects.toBe(boom);
        await rejectsWith(
          store.update(kind, 'p', '1', () => ({ value: 1n })),
          'INVALID_ARGUMENT',
        );
        await rejectsWith(
          store.update(kind, 'p', '1', () => 'not an answer' as never),
          'INVALID_ARGUMENT',
        );
        expect(await store.list(kind, 'p')).toStrictEqual([
          { kind, partition: 'p', id: '1', ref: 'r', value: { n: 1 } },
        ]);
      });

      it(`serialises ${concurrency} concurrent updates of a record that did not exist (no lost update)`, async () => {
        const kind = freshKind();
        const inc = (current: { n: number } | null) => ({ value: { n: (current?.n ?? 0) + 1 } });
        const results = await Promise.all(
          Array.from({ length: concurrency }, () => store.update(kind, 'p', 'counter', inc)),
        );
        expect(await store.get(kind, 'p', 'counter')).toStrictEqual({ n: concurrency });
        // Each update saw a different value: the results are exactly 1..concurrency.
        expect(results.map((r) => r!.n).sort((a, b) => a - b)).toEqual(
          Array.from({ length: concurrency }, (_, i) => i + 1),
        );
      });

      it(`serialises ${concurrency} concurrent updates of an existing record`, async () => {
        const kind = freshKind();
        await store.write([put(kind, 'p', 'counter', { n: 0 }, 'r')]);
        await Promise.all(
          Array.from({ length: concurrency }, () =>
            store.update<{ n: number }>(kind, 'p', 'counter', (current) => ({ value: { n: current!.n + 1 } })),
          ),
        );
        expect(await store.find(kind, 'counter')).toMatchObject({ ref: 'r', value: { n: concurrency } });
      });
    });

    describe('values', () => {
      it('round-trips JSON: nested objects, arrays, numbers, unicode, ~1 MB strings', async () => {
        const kind = freshKind();
        const values: Record<string, unknown> = {
          nested: { a: { b: { c: [1, 'two', { three: 3 }, [], {}] } }, empty: '', t: true, f: false, nil: null },
          numbers: { int: 42, negative: -7, float: 0.1, big: Number.MAX_SAFE_INTEGER, tiny: 5e-324, exp: 1e21 },
          unicode: { text: 'héllo wörld ✓ 日本語 😀 \u{10ffff} "quoted" \\ back\nslash\t', 'clé 🔑': 'ok' },
          large: { text: 'x'.repeat(1 << 20), more: 'é'.repeat(1000) },
          string: 'just a string',
          number: 3,
          array: [null, 1, 'a'],
        };
        await store.write(Object.entries(values).map(([id, value]) => put(kind, 'p', id, value)));
        for (const [id, value] of Object.entries(values)) expect(await store.get(kind, 'p', id)).toStrictEqual(value);
      });

      it('stores what JSON carries: undefined properties are dropped, as JSON.stringify does', async () => {
        const kind = freshKind();
        await store.write([put(kind, 'p', '1', { a: 1, b: undefined, c: [undefined] })]);
        expect(await store.get(kind, 'p', '1')).toStrictEqual({ a: 1, c: [null] });
      });

      it('never aliases stored values', async () => {
        const kind = freshKind();
        const value = { list: [1], inner: { n: 1 } };
        await store.write([put(kind, 'p', '1', value)]);
        value.list.push(2);
        value.inner.n = 99;
        const read = await store.get<typeof value>(kind, 'p', '1');
        expect(read).toStrictEqual({ list: [1], inner: { n: 1 } });
        read!.inner.n = 42;
        (await store.list<typeof value>(kind, 'p'))[0]!.value.list.push(3);
        (await store.getMany<typeof value>(kind, 'p', ['1']))[0]!.value.inner.n = 7;
        (await store.find<typeof value>(kind, '1'))!.value.inner.n = 8;
        const fromUpdate = await store.update<typeof value>(kind, 'p', '1', (current) => {
          current!.inner.n = 1000;
          return undefined;
        });
        fromUpdate!.list.push(4);
        const next = { list: [5], inner: { n: 5 } };
        const updated = await store.update<typeof value>(kind, 'p', '2', () => ({ value: next }));
        next.inner.n = 6;
        updated!.inner.n = 7;
        expect(await store.get(kind, 'p', '1')).toStrictEqual({ list: [1], inner: { n: 1 } });
        expect(await store.get(kind, 'p', '2')).toStrictEqual({ list: [5], inner: { n: 5 } });
      });
    });

    describe('arguments', () => {
      it('rejects malformed keys, queries and values with INVALID_ARGUMENT', async () => {
        const kind = freshKind();
        const long = 'x'.repeat(MAX_ENTITY_KEY_LENGTH + 1);
        const max = 'x'.repeat(MAX_ENTITY_KEY_LENGTH);
        // Thunks, called one at a time: a rejection is awaited as soon as it happens (never left unhandled).
        const bad: Array<() => Promise<unknown>> = [
          () => store.get('', 'p', '1'),
          () => store.get(kind, long, '1'),
          () => store.get(kind, 'p', 1 as never),
          () => store.get(kind, 'p', 'nul\u0000'),
          () => store.get(kind, 'p', 'lone \ud800'),
          () => store.getMany(kind, 'p', ['1', '']),
          () => store.getMany(kind, 'p', 'not an array' as never),
          () => store.find(kind, long),
          () => store.list(kind, 'p', { limit: 0 }),
          () => store.list(kind, 'p', { limit: MAX_ENTITY_LIST_LIMIT + 1 }),
          () => store.list(kind, 'p', { limit: 1.5 }),
          () => store.list(kind, 'p', { after: '1', before: '9' }),
          () => store.list(kind, 'p', { after: '' }),
          () => store.listByRef(kind, '', {}),
          () => store.listByRef(kind, 'r', { before: long }),
          () => store.count(kind, null as never),
          () => store.write([put(kind, 'p', '1', 'v', long)]),
          () => store.write([put(kind, 'p', '1', { s: 'nul \u0000' })]),
          () => store.write([put(kind, 'p', '1', ['lone \udc00'])]),
          () => store.write('nope' as never),
          () => store.update(kind, 'p', '', () => undefined),
          () => store.update(kind, 'p', '1', 'not a function' as never),
        ];
        for (const call of bad) await rejectsWith(call(), 'INVALID_ARGUMENT');
        // The limits themselves are fine, and so are a value's escaped backslashes.
        await store.write([put(kind, max, max, { s: '\\u0000 \\ud800' }, max)]);
        expect(await store.get(kind, max, max)).toStrictEqual({ s: '\\u0000 \\ud800' });
        expect(await store.list(kind, max, { limit: MAX_ENTITY_LIST_LIMIT })).toHaveLength(1);
      });
    });

    it('rejects every call with CLOSED once closed', async () => {
      const closed = await factory();
      await closed.close();
      const kind = freshKind();
      await rejectsWith(closed.get(kind, 'p', '1'), 'CLOSED');
      await rejectsWith(closed.getMany(kind, 'p', ['1']), 'CLOSED');
      await rejectsWith(closed.find(kind, '1'), 'CLOSED');
      await rejectsWith(closed.list(kind, 'p'), 'CLOSED');
      await rejectsWith(closed.listByRef(kind, 'r'), 'CLOSED');
      await rejectsWith(closed.count(kind, 'p'), 'CLOSED');
      await rejectsWith(closed.write([put(kind, 'p', '1', 1)]), 'CLOSED');
      await rejectsWith(
        closed.update(kind, 'p', '1', () => undefined),
        'CLOSED',
      );
      await closed.close();
    });

    it('agrees with a simple model on random operation sequences (property)', async () => {
      await checkEntityStoreAgainstModel(store, freshKind, { runs: options.propertyRuns ?? 50 });
    });
  });
}
