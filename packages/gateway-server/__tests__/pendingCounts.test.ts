// The metrics' pending sums (src/metrics/PendingCounts.ts) keep the key last added to: the sums, the keys a flush
// hands over and the fresh start after it must be what a plain map of sums gave.
import { describe, expect, it } from 'vitest';
import { PendingCounts } from '../src/metrics/PendingCounts.js';

function flushed(counts: PendingCounts): [string, number][] {
  const out: [string, number][] = [];
  counts.flush((key, n) => out.push([key, n]));
  return out;
}

describe('PendingCounts', () => {
  it('sums per key, equal keys made apart included, in first-counted order', () => {
    const counts = new PendingCounts();
    const encoding = 'json';
    counts.add(`${encoding}|none`);
    counts.add(`${encoding}|none`, 2);
    counts.add('zlib|none', 5);
    counts.add(['json', 'none'].join('|'), -1);
    counts.add('zlib|none');
    expect(flushed(counts)).toEqual([
      ['json|none', 2],
      ['zlib|none', 6],
    ]);
  });

  it('hands over a key whose sum came back to 0, and starts from zero after a flush', () => {
    const counts = new PendingCounts();
    counts.add('a', 1);
    counts.add('a', -1);
    expect(flushed(counts)).toEqual([['a', 0]]);
    expect(flushed(counts)).toEqual([]);
    // The key last added before the flush is counted from zero again, not into the flushed sum.
    counts.add('a', 3);
    expect(flushed(counts)).toEqual([['a', 3]]);
  });

  it('matches a plain map of sums over a long mixed sequence', () => {
    const counts = new PendingCounts();
    const expected = new Map<string, number>();
    const keys = ['json', 'etf', 'json|zlib-stream', 'msgpack'];
    let seed = 11;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const key = keys[seed % (i % 7 === 0 ? 4 : 2)]!;
      const n = (seed >> 8) % 100;
      counts.add(key, n);
      expected.set(key, (expected.get(key) ?? 0) + n);
      if (i % 997 === 0) {
        expect(flushed(counts)).toEqual([...expected]);
        expected.clear();
      }
    }
    expect(flushed(counts)).toEqual([...expected]);
  });
});
