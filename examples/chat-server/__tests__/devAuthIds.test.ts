// Dev auth's ids (issue #19, Identify throughput): written without BigInt now, and still the ids every run and every
// backend has always given a token (stored users are found by them).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { snowflakeText, userIdForToken } from '../src/devAuth.js';

/** The ids as they were made before: two BigInts and their string. */
function bigIntId(token: string): string {
  const h = createHash('sha256').update(token).digest();
  const time = 1_704_067_200_000 - 1_420_070_400_000 + (h.readUInt32BE(0) & 0xfffff);
  return ((BigInt(time) << 22n) | BigInt(h.readUInt32BE(4) & 0x3fffff)).toString();
}

describe('dev auth ids', () => {
  it('are the ids the BigInt form gave, token for token', () => {
    for (let i = 0; i < 5000; i++) {
      for (const token of [`load-${i}`, `member-${i}`, `user ${i} ✓`])
        expect(userIdForToken(token)).toBe(bigIntId(token));
    }
    // Fixed points: ids users already have in their databases.
    expect(userIdForToken('alice')).toBe(bigIntId('alice'));
  });

  it('writes time · 2^22 + low in decimal for the whole range, edges included', () => {
    const times = [
      0,
      1,
      999_999,
      1_000_000,
      1_000_001,
      2 ** 20,
      2 ** 41,
      2 ** 42 - 1,
      283_996_800_000,
      285_045_375_999,
    ];
    const lows = [0, 1, 999_999, 1_000_000, 2 ** 21, 2 ** 22 - 1];
    let seed = 7;
    const next = (max: number) => {
      // xorshift: the same cases every run.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % max;
    };
    for (let i = 0; i < 2000; i++) {
      times.push(next(2 ** 21) * 2 ** 21 + next(2 ** 21));
      lows.push(next(2 ** 22));
    }
    for (const time of times) {
      for (const low of lows.slice(0, 8)) {
        expect(snowflakeText(time, low)).toBe(((BigInt(time) << 22n) | BigInt(low)).toString());
      }
    }
    for (let i = 0; i < lows.length; i++) {
      const time = times[i % times.length]!;
      expect(snowflakeText(time, lows[i]!)).toBe(((BigInt(time) << 22n) | BigInt(lows[i]!)).toString());
    }
  });
});
