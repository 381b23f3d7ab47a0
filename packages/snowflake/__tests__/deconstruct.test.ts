import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DISCORD_EPOCH,
  deconstruct,
  InvalidSnowflakeError,
  MAX_SNOWFLAKE,
  MAX_TIMESTAMP,
  SnowflakeRangeError,
  timestampOf,
} from '../src/index.js';
import { compose, fieldsArb, idArb } from './helpers.js';

describe('deconstruct', () => {
  it("reads Discord's documented example", () => {
    // https://discord.com/developers/docs/reference#snowflakes
    expect(deconstruct('175928847299117063')).toEqual({
      id: 175928847299117063n,
      timestamp: 1462015105796,
      workerId: 1,
      processId: 0,
      increment: 7,
      epoch: DISCORD_EPOCH,
    });
  });

  it('round-trips every field combination, from strings, bigints and safe integers alike', () => {
    fc.assert(
      fc.property(fieldsArb, fc.integer({ min: -1e12, max: 1e13 }), (f, epoch) => {
        const id = compose(f.timestamp, f.workerId, f.processId, f.increment);
        const expected = { id, ...f, timestamp: f.timestamp + epoch, epoch };
        expect(deconstruct(id, epoch)).toEqual(expected);
        expect(deconstruct(id.toString(), epoch)).toEqual(expected);
        if (id <= BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(deconstruct(Number(id) as unknown as bigint, epoch)).toEqual(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('handles the boundaries', () => {
    expect(deconstruct(0n)).toEqual({
      id: 0n,
      timestamp: DISCORD_EPOCH,
      workerId: 0,
      processId: 0,
      increment: 0,
      epoch: DISCORD_EPOCH,
    });
    expect(deconstruct(MAX_SNOWFLAKE.toString(), 0)).toEqual({
      id: MAX_SNOWFLAKE,
      timestamp: MAX_TIMESTAMP,
      workerId: 31,
      processId: 31,
      increment: 4095,
      epoch: 0,
    });
  });

  it('accepts the epoch as a bigint or a Date', () => {
    const id = compose(1000, 1, 2, 3);
    expect(deconstruct(id, 5n).timestamp).toBe(1005);
    expect(deconstruct(id, new Date(DISCORD_EPOCH)).timestamp).toBe(DISCORD_EPOCH + 1000);
  });

  it('rejects bad epochs with SnowflakeRangeError', () => {
    for (const epoch of [1.5, Number.NaN, new Date(Number.NaN), 2n ** 60n, '0' as unknown as number]) {
      expect(() => deconstruct(1n, epoch)).toThrow(SnowflakeRangeError);
    }
  });

  it('rejects non-ids with InvalidSnowflakeError', () => {
    for (const input of ['', '-1', '1.5', ' 1', MAX_SNOWFLAKE + 1n, -1n]) {
      expect(() => deconstruct(input)).toThrow(InvalidSnowflakeError);
    }
  });
});

describe('timestampOf', () => {
  it('equals the bigint reference for every id, including ones a Number(id) would round up', () => {
    fc.assert(
      fc.property(idArb, (id) => {
        const expected = Number(id >> 22n) + DISCORD_EPOCH;
        expect(timestampOf(id)).toBe(expected);
        expect(timestampOf(id.toString())).toBe(expected);
      }),
      { numRuns: 5000 },
    );
    // 2^64 - 1 as a double rounds to 2^64, whose timestamp field would be 2^42: one millisecond too late.
    expect(timestampOf(MAX_SNOWFLAKE, 0)).toBe(MAX_TIMESTAMP);
    expect(timestampOf(((1n << 41n) << 22n) - 1n, 0)).toBe(2 ** 41 - 1);
  });

  it('is exact on both sides of every millisecond boundary, where doubles round', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 42n - 1n }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        (ms, above, below) => {
          const boundary = ms << 22n;
          for (const [id, expected] of [
            [boundary + BigInt(above), ms],
            [boundary - BigInt(below), ms - 1n],
          ] as const) {
            expect(timestampOf(id, 0)).toBe(Number(expected));
            expect(timestampOf(id.toString(), 0)).toBe(Number(expected));
            expect(deconstruct(id, 0).timestamp).toBe(Number(expected));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('uses the given epoch', () => {
    expect(timestampOf('175928847299117063', 0)).toBe(1462015105796 - DISCORD_EPOCH);
  });
});
