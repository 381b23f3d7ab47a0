import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userIdForToken } from '../src/identity.js';
import { compareIds, SortedIds } from '../src/SortedIds.js';

const byValue = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

describe('SortedIds', () => {
  it('finds a page with O(log n) comparisons and returns `limit` ids', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => userIdForToken(`u${i}`));
    let comparisons = 0;
    const index = new SortedIds(ids, (a, b) => {
      comparisons++;
      return compareIds(a, b);
    });
    const sorted = [...ids].sort(byValue);
    for (const [after, start] of [
      ['0', 0],
      [sorted[4321]!, 4322],
      [(BigInt(sorted[9000]!) + 1n).toString(), 9001],
    ] as const) {
      comparisons = 0;
      expect(index.after(after, 25)).toEqual(sorted.slice(start, start + 25));
      expect(comparisons).toBeLessThanOrEqual(Math.ceil(Math.log2(ids.length)) + 2);
    }
    expect(index.after(sorted[9999]!, 10)).toEqual([]);
  });

  it('keeps id order (not string order) through adds and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })), { maxLength: 200 }),
        (ops) => {
          const index = new SortedIds();
          const model = new Set<string>();
          for (const [add, n] of ops) {
            const id = n.toString();
            if (add) expect(index.add(id)).toBe(!model.has(id));
            else expect(index.delete(id)).toBe(model.has(id));
            if (add) model.add(id);
            else model.delete(id);
          }
          expect(index.size).toBe(model.size);
          expect(index.after('0', 1000).filter((id) => id !== '0')).toEqual(
            [...model].sort(byValue).filter((id) => id !== '0'),
          );
        },
      ),
    );
  });
});
