import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/rest/RateLimiter.js';

describe('RateLimiter', () => {
  it('tracks at most `maxWindows` windows, whatever the number of keys', () => {
    let now = 0;
    const limiter = new RateLimiter({ maxWindows: 1000, now: () => now });
    try {
      const rule = { limit: 5, windowMs: 60_000 };
      for (let i = 0; i < 100_000; i++) {
        limiter.take(`key-${i}`, rule);
        now += 0.01;
      }
      expect(limiter.size).toBeLessThanOrEqual(1000);
      // The newest keys are the ones kept: their windows still count.
      for (let i = 0; i < 5; i++) limiter.take('key-99999', rule);
      expect(limiter.take('key-99999', rule).allowed).toBe(false);
    } finally {
      limiter.close();
    }
  });

  it('counts a fixed window and reports when it resets', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ now: () => now });
    try {
      const rule = { limit: 2, windowMs: 1000 };
      expect(limiter.take('k', rule)).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
      expect(limiter.take('k', rule)).toMatchObject({ allowed: true, remaining: 0 });
      now += 400;
      const refused = limiter.take('k', rule);
      expect(refused).toMatchObject({ allowed: false, remaining: 0, resetAt: 1_001_000 });
      expect(refused.resetAfter).toBeCloseTo(0.6);
      expect(limiter.peek('k', rule).allowed).toBe(false);
      now += 600;
      expect(limiter.peek('k', rule)).toMatchObject({ allowed: true, remaining: 2 });
      expect(limiter.take('k', rule)).toMatchObject({ allowed: true, remaining: 1 });
    } finally {
      limiter.close();
    }
  });

  it('drops expired windows when it sweeps', () => {
    let now = 0;
    const limiter = new RateLimiter({ now: () => now });
    try {
      for (let i = 0; i < 100; i++) limiter.take(`k${i}`, { limit: 1, windowMs: 1000 });
      now = 2000;
      limiter.sweep();
      expect(limiter.size).toBe(0);
    } finally {
      limiter.close();
    }
  });
});
