import { describe, expect, it } from 'vitest';
import { InMemorySessionStartLimiter } from '../src/SessionStartLimiter.js';

describe('InMemorySessionStartLimiter', () => {
  // Windows are kept as one number while that is exact, else as an object: both must count the same.
  for (const [what, total, now] of [
    ['one number (small total, real clock)', 1000, 1_796_400_000_000],
    ['an object (a total too large to pack with a real clock)', 100_000, 1_796_400_000_000],
    ['one number (times near zero)', 3, 0],
    ['an object (fractional times)', 3, 0.5],
  ] as const) {
    it(`counts starts per user in a window, kept as ${what}`, () => {
      const limiter = new InMemorySessionStartLimiter(total, 60_000, 1);
      expect(limiter.get('u', now)).toEqual({ total, remaining: total, reset_after: 60_000, max_concurrency: 1 });
      expect(limiter.consume('u', now)).toBe(true);
      expect(limiter.consume('u', now + 10)).toBe(true);
      expect(limiter.get('u', now + 1000)).toEqual({
        total,
        remaining: total - 2,
        reset_after: 59_000,
        max_concurrency: 1,
      });
      expect(limiter.get('other', now).remaining).toBe(total);
      // A new window once this one ends.
      expect(limiter.get('u', now + 60_000).remaining).toBe(total);
      expect(limiter.consume('u', now + 60_000)).toBe(true);
      expect(limiter.get('u', now + 60_001)).toMatchObject({ remaining: total - 1, reset_after: 59_999 });
    });
  }

  it('counts alike whether a window is kept as a small integer (one start) or a packed number (more)', () => {
    // Times after the process started: a window's first start is then kept as a small integer.
    const now = Date.now() + 5;
    const limiter = new InMemorySessionStartLimiter(1000, 86_400_000, 1);
    expect(limiter.consume('u', now)).toBe(true);
    expect(limiter.get('u', now + 1)).toEqual({
      total: 1000,
      remaining: 999,
      reset_after: 86_399_999,
      max_concurrency: 1,
    });
    expect(limiter.consume('u', now + 2)).toBe(true);
    expect(limiter.get('u', now + 3)).toMatchObject({ remaining: 998, reset_after: 86_399_997 });
    expect(limiter.consume('v', now + 7)).toBe(true);
    expect(limiter.size).toBe(2);
    // Windows that ended are forgotten, whichever way they were kept.
    limiter.prune(now + 86_400_000);
    expect(limiter.size).toBe(1);
    expect(limiter.get('v', now + 86_400_006)).toMatchObject({ remaining: 999, reset_after: 1 });
    limiter.prune(now + 86_400_007);
    expect(limiter.size).toBe(0);
    expect(limiter.get('u', now + 86_400_000).remaining).toBe(1000);
  });

  it('prunes exactly the windows that ended (reset at or before now), however each is kept', () => {
    const now = Date.now() + 5;
    const limiter = new InMemorySessionStartLimiter(1000, 60_000, 1);
    // One start (a small integer), two starts (a packed number), fractional times (an object).
    limiter.consume('single', now);
    limiter.consume('packed', now);
    limiter.consume('packed', now + 1);
    limiter.consume('object', now + 0.5);
    limiter.consume('object', now + 0.75);
    expect(limiter.size).toBe(3);
    limiter.prune(now + 59_999);
    expect(limiter.size).toBe(3);
    limiter.prune(now + 60_000.25);
    // `single` and `packed` reset at now + 60,000; `object` at now + 60,000.5.
    expect(limiter.get('object', now + 60_000.25).remaining).toBe(998);
    expect(limiter.size).toBe(1);
    limiter.prune(now + 60_000.5);
    expect(limiter.size).toBe(0);
  });

  it('refuses once the total is used, until the window ends', () => {
    const limiter = new InMemorySessionStartLimiter(2, 1000, 1);
    expect(limiter.consume('u', 5)).toBe(true);
    expect(limiter.consume('u', 6)).toBe(true);
    expect(limiter.consume('u', 7)).toBe(false);
    expect(limiter.get('u', 7).remaining).toBe(0);
    expect(limiter.consume('u', 1005)).toBe(true);
  });

  // The user last found without a window is remembered (an Identify's `get` then `consume`): a start taken since,
  // for them or anyone, and one for another user in between, must all count.
  it('counts the start that follows a lookup that found nothing', () => {
    const limiter = new InMemorySessionStartLimiter(2, 1000, 1);
    const a = ['1', '2'].join('');
    expect(limiter.get(a, 0).remaining).toBe(2);
    expect(limiter.get('b', 0).remaining).toBe(2);
    expect(limiter.consume('12', 0)).toBe(true);
    expect(limiter.get(a, 0).remaining).toBe(1);
    expect(limiter.get('b', 0).remaining).toBe(2);
    expect(limiter.consume('b', 0)).toBe(true);
    expect(limiter.consume(a, 0)).toBe(true);
    expect(limiter.consume(a, 0)).toBe(false);
    expect(limiter.get('12', 0).remaining).toBe(0);
    expect(limiter.get('b', 0).remaining).toBe(1);
    // Pruned away and looked up again: absent, then counted from a fresh window.
    limiter.prune(5000);
    expect(limiter.get(a, 5000).remaining).toBe(2);
    expect(limiter.consume(a, 5000)).toBe(true);
    expect(limiter.get(a, 5000).remaining).toBe(1);
  });
});
