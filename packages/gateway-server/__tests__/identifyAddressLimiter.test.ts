// The per-address Identify limit (src/handlers/IdentifyAddressLimiter.ts) remembers each peer address's key: the
// buckets must stay those of `addressKey`, whatever order and however many addresses come.
import { describe, expect, it } from 'vitest';
import { IdentifyAddressLimiter } from '../src/handlers/IdentifyAddressLimiter.js';

describe('IdentifyAddressLimiter', () => {
  it('counts an address, its IPv4-mapped form and its /64 under one bucket', () => {
    const limiter = new IdentifyAddressLimiter({ identifies: 2, windowMs: 60_000 });
    expect(limiter.take('203.0.113.7', 0)).toBe(true);
    expect(limiter.take('::ffff:203.0.113.7', 0)).toBe(true);
    expect(limiter.take(['203.0.113', '7'].join('.'), 0)).toBe(false);
    expect(limiter.take('2001:db8:1:2::1', 0)).toBe(true);
    expect(limiter.take('2001:db8:1:2:ffff::9', 0)).toBe(true);
    expect(limiter.take('2001:db8:1:2::1%eth0', 0)).toBe(false);
    expect(limiter.take('2001:db8:1:3::1', 0)).toBe(true);
    expect(limiter.size).toBe(3);
  });

  it('keeps counting right past the number of addresses it remembers', () => {
    const limiter = new IdentifyAddressLimiter({ identifies: 1, windowMs: 60_000 });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        expect(limiter.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 0)).toBe(round === 0);
      }
    }
    // Mapped forms of addresses seen long ago still land in their buckets.
    expect(limiter.take('::ffff:10.0.0.0', 0)).toBe(false);
    expect(limiter.take('::ffff:10.0.19.135', 0)).toBe(false);
  });
});
