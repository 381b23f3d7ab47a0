import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSnowflakes, mergeBySnowflake, sortBySnowflake } from '../src/index.js';

const snowflake = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String);

describe('snowflake ordering', () => {
  it('compareSnowflakes agrees with BigInt order', () => {
    fc.assert(
      fc.property(snowflake, snowflake, (a, b) => {
        expect(Math.sign(compareSnowflakes(a, b))).toBe(BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
      }),
    );
  });

  it('sortBySnowflake sorts by numeric id (asc/desc) and keeps the last copy of a repeated id', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: snowflake, v: fc.nat() }), { maxLength: 50 }), (items) => {
        const sorted = sortBySnowflake(items);
        const expected = [...new Map(items.map((i) => [i.id, i])).values()].sort((x, y) =>
          BigInt(x.id) < BigInt(y.id) ? -1 : BigInt(x.id) > BigInt(y.id) ? 1 : 0,
        );
        expect(sorted).toEqual(expected);
        expect(sortBySnowflake(items, { order: 'desc' })).toEqual([...expected].reverse());
      }),
    );
    expect(sortBySnowflake([{ id: '10' }, { id: '9' }, { id: '100' }]).map((m) => m.id)).toEqual(['9', '10', '100']);
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
