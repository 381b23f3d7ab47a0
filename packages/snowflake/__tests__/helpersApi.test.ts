import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  compare,
  DISCORD_EPOCH,
  InvalidSnowflakeError,
  idFromTimestamp,
  MAX_SNOWFLAKE,
  MAX_TIMESTAMP,
  SnowflakeRangeError,
  shardOf,
  timestampOf,
} from '../src/index.js';
import { compose, fieldsArb, idArb } from './helpers.js';

describe('idFromTimestamp', () => {
  it('is the lowest id of its millisecond: a tight bound for before/after pagination', () => {
    fc.assert(
      fc.property(fieldsArb, (f) => {
        const ms = f.timestamp + DISCORD_EPOCH;
        const id = compose(f.timestamp, f.workerId, f.processId, f.increment);
        const low = idFromTimestamp(ms);
        expect(low).toBe(compose(f.timestamp, 0, 0, 0));
        expect(id >= low).toBe(true);
        if (f.timestamp < MAX_TIMESTAMP) expect(id < idFromTimestamp(ms + 1)).toBe(true);
        expect(timestampOf(low)).toBe(ms);
      }),
    );
  });

  it('handles the ends of the range, Dates, fractions and other epochs', () => {
    expect(idFromTimestamp(DISCORD_EPOCH)).toBe(0n);
    expect(idFromTimestamp(DISCORD_EPOCH + MAX_TIMESTAMP)).toBe(BigInt(MAX_TIMESTAMP) << 22n);
    expect(idFromTimestamp(new Date(DISCORD_EPOCH + 1))).toBe(1n << 22n);
    expect(idFromTimestamp(DISCORD_EPOCH + 1.9)).toBe(1n << 22n);
    expect(idFromTimestamp(1000, 0)).toBe(1000n << 22n);
    expect(idFromTimestamp(1000, new Date(500))).toBe(500n << 22n);
  });

  it('throws SnowflakeRangeError outside the representable range', () => {
    for (const ms of [
      DISCORD_EPOCH - 1,
      DISCORD_EPOCH + MAX_TIMESTAMP + 1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date(Number.NaN),
      '1' as unknown as number,
    ]) {
      expect(() => idFromTimestamp(ms)).toThrow(SnowflakeRangeError);
    }
  });
});

describe('compare', () => {
  it('orders like the bigints, whatever mix of strings and bigints', () => {
    fc.assert(
      fc.property(idArb, idArb, (a, b) => {
        const expected = a === b ? 0 : a < b ? -1 : 1;
        expect(compare(a, b)).toBe(expected);
        expect(compare(a.toString(), b.toString())).toBe(expected);
        expect(compare(a.toString(), b)).toBe(expected);
        expect(compare(a, b.toString())).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts as a comparator', () => {
    const ids = ['737141877803057244', '1056191128120082432', '254360814063058944', '9'];
    expect(ids.sort(compare)).toEqual(['9', '254360814063058944', '737141877803057244', '1056191128120082432']);
  });

  it('throws on malformed input instead of guessing an order', () => {
    expect(() => compare('01', '1')).toThrow(InvalidSnowflakeError);
    expect(() => compare('1', ' 2')).toThrow(InvalidSnowflakeError);
    expect(() => compare(-1n, 1n)).toThrow(InvalidSnowflakeError);
    expect(() => compare(1n, MAX_SNOWFLAKE + 1n)).toThrow(InvalidSnowflakeError);
    expect(() => compare('1', {} as unknown as string)).toThrow(InvalidSnowflakeError);
  });
});

describe('bucketOf', () => {
  const TEN_DAYS = 10 * 24 * 60 * 60 * 1000;

  it('is floor((timestamp - epoch) / bucketMs) for every id', () => {
    fc.assert(
      fc.property(idArb, fc.integer({ min: 1, max: 2 ** 45 }), fc.integer({ min: 0, max: 2e12 }), (id, size, epoch) => {
        const expected = Math.floor((timestampOf(id, epoch) - epoch) / size);
        expect(bucketOf(id, size, epoch)).toBe(expected);
        expect(bucketOf(id.toString(), size, epoch)).toBe(expected);
        expect(bucketOf(id, size)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('starts a new bucket exactly at a bucket boundary', () => {
    const boundary = DISCORD_EPOCH + 3 * TEN_DAYS;
    expect(bucketOf(idFromTimestamp(boundary) - 1n, TEN_DAYS)).toBe(2);
    expect(bucketOf(idFromTimestamp(boundary), TEN_DAYS)).toBe(3);
    expect(bucketOf(0n, TEN_DAYS)).toBe(0);
    expect(bucketOf(MAX_SNOWFLAKE, 1)).toBe(MAX_TIMESTAMP);
  });

  it('rejects bad sizes and bad ids', () => {
    for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => bucketOf(1n, size)).toThrow(SnowflakeRangeError);
    }
    expect(() => bucketOf('x', TEN_DAYS)).toThrow(InvalidSnowflakeError);
  });
});

describe('shardOf', () => {
  it("is Discord's (id >> 22) % shardCount", () => {
    fc.assert(
      fc.property(idArb, fc.integer({ min: 1, max: 2 ** 32 }), (id, count) => {
        const expected = Number((id >> 22n) % BigInt(count));
        expect(shardOf(id, count)).toBe(expected);
        expect(shardOf(id.toString(), count)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    // 175928847299117063 >> 22 = 41944705796 (ms since the epoch of Discord's documented example).
    expect(shardOf('175928847299117063', 16)).toBe(41944705796 % 16);
    expect(shardOf('175928847299117063', 1)).toBe(0);
  });

  it('rejects bad shard counts and bad ids', () => {
    for (const count of [0, -2, 2.5, Number.NaN]) expect(() => shardOf(1n, count)).toThrow(SnowflakeRangeError);
    expect(() => shardOf('', 4)).toThrow(InvalidSnowflakeError);
  });
});
