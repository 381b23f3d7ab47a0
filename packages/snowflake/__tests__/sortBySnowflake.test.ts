import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, InvalidSnowflakeError, mergeBySnowflake, sortBySnowflake } from '../src/index.js';

const snowflake = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String);
const byBigInt = (x: { id: string }, y: { id: string }) =>
  BigInt(x.id) < BigInt(y.id) ? -1 : BigInt(x.id) > BigInt(y.id) ? 1 : 0;

describe('snowflake ordering of lists', () => {
  it('compare agrees with BigInt order on decimal strings', () => {
    fc.assert(
      fc.property(snowflake, snowflake, (a, b) => {
        expect(compare(a, b)).toBe(BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
      }),
    );
  });

  it('sortBySnowflake sorts by numeric id (asc/desc) and keeps the last copy of a repeated id', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: snowflake, v: fc.nat() }), { maxLength: 50 }), (items) => {
        const expected = [...new Map(items.map((i) => [i.id, i])).values()].sort(byBigInt);
        expect(sortBySnowflake(items)).toEqual(expected);
        expect(sortBySnowflake(items, { order: 'desc' })).toEqual([...expected].reverse());
      }),
    );
    expect(sortBySnowflake([{ id: '10' }, { id: '9' }, { id: '100' }]).map((m) => m.id)).toEqual(['9', '10', '100']);
  });

  it('sortBySnowflake keeps repeated ids with dedupe: false', () => {
    const items = [
      { id: '10', v: 1 },
      { id: '9', v: 2 },
      { id: '10', v: 3 },
    ];
    expect(sortBySnowflake(items, { dedupe: false }).map((m) => m.v)).toEqual([2, 1, 3]);
  });

  it('sortBySnowflake rejects a malformed id instead of sorting it somewhere', () => {
    expect(() => sortBySnowflake([{ id: '10' }, { id: '09' }])).toThrow(InvalidSnowflakeError);
  });

  it('mergeBySnowflake merges sorted lists into one sorted list without duplicates', () => {
    fc.assert(
      fc.property(fc.array(fc.array(snowflake, { maxLength: 20 }), { maxLength: 4 }), (lists) => {
        const sortedLists = lists.map((l) => sortBySnowflake(l.map((id) => ({ id }))));
        const merged = mergeBySnowflake(...sortedLists);
        expect(merged).toEqual(sortBySnowflake(sortedLists.flat()));
      }),
    );
  });
});
