import { isSnowflake } from '@concord/snowflake';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SNOWFLAKE } from '../src/ids.js';
import {
  aroundWindow,
  bucketOfId,
  firstIdOfBucket,
  fromSortable,
  lastIdOfBucket,
  parseId,
  parseListQuery,
  toSortable,
  validateNewMessage,
} from '../src/kit/index.js';

const typed = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' });
  }
};

describe('id parsing', () => {
  it('accepts exactly the canonical decimal ids up to 2^64 - 1', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }), (id) => {
        expect(parseId(id.toString())).toBe(id);
      }),
    );
    expect(parseId('18446744073709551615')).toBe(MAX_SNOWFLAKE);
    for (const bad of ['18446744073709551616', '00', '+1', '1 ', '0x10', '١٢٣']) {
      expect(() => parseId(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('gives a typed error for any other input, never a crash', () => {
    fc.assert(fc.property(fc.anything(), (v) => typed(() => parseId(v))));
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (v) => typed(() => parseId(v))));
    const hostile = [
      Object.create(null),
      {
        toString() {
          throw new Error('boom');
        },
      },
      Symbol('id'),
      () => '1',
    ];
    for (const v of hostile) {
      expect(() => parseId(v)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(() => parseListQuery({ limit: v })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('maps ids to signed 64-bit order-preserving and back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }), fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }), (a, b) => {
        expect(toSortable(a)).toBe(BigInt.asIntN(64, toSortable(a)));
        expect(fromSortable(toSortable(a))).toBe(a);
        expect(a < b).toBe(toSortable(a) < toSortable(b));
      }),
    );
  });

  it('bucket bounds contain exactly the ids of their bucket', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }),
        fc.integer({ min: 1, max: 10 * 86_400_000 }),
        (id, ms) => {
          const b = bucketOfId(id, ms);
          expect(firstIdOfBucket(b, ms) <= id && id <= lastIdOfBucket(b, ms)).toBe(true);
          if (b > 0) expect(bucketOfId(firstIdOfBucket(b, ms) - 1n, ms)).toBe(b - 1);
        },
      ),
    );
  });
});

describe('list query and message validation', () => {
  it('never crashes on arbitrary queries', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            before: fc.oneof(fc.string(), fc.anything()),
            after: fc.oneof(fc.string(), fc.anything()),
            around: fc.anything(),
            limit: fc.oneof(fc.integer(), fc.double(), fc.anything()),
            includeDeleted: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        (q) => typed(() => parseListQuery(q as never)),
      ),
    );
  });

  it('never crashes on arbitrary messages', () => {
    fc.assert(fc.property(fc.anything({ maxDepth: 2 }), (m) => typed(() => validateNewMessage(m as never))));
    fc.assert(
      fc.property(
        fc.record({
          id: fc.string(),
          channelId: fc.constant('1'),
          guildId: fc.constantFrom(null, '2', 'x'),
          authorId: fc.constant('3'),
          content: fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom('\ud800x', 'a\u0000', '\udc00')),
          type: fc.integer(),
          flags: fc.integer(),
          extra: fc.oneof(fc.constant(null), fc.object({ maxDepth: 2, maxKeys: 4 })),
        }),
        (m) => typed(() => validateNewMessage(m as never)),
      ),
    );
  });

  it('rejects exactly the messages with a bad id, whatever was validated before (the repeat-id shortcut)', () => {
    const id = fc.oneof(
      fc.constantFrom('1', '2', '381870553235193857', '01', '', '1 ', '18446744073709551616'),
      fc.string({ maxLength: 4 }),
    );
    const message = fc.record({ channelId: id, guildId: fc.oneof(fc.constant(null), id), authorId: id });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 12 }), (list) => {
        for (const m of list) {
          const valid =
            isSnowflake(m.channelId) && isSnowflake(m.authorId) && (m.guildId === null || isSnowflake(m.guildId));
          const run = () =>
            validateNewMessage({ id: '5', content: 'x', type: 0, flags: 0, extra: null, ...m } as never);
          if (valid) expect(run().channelId).toBe(m.channelId);
          else expect(run).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
        }
      }),
    );
  });

  it('around windows hold `limit` rows when there are enough, centred when possible', () => {
    const rows = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ id: String(from + i) }) as never);
    fc.assert(
      fc.property(fc.nat(120), fc.nat(120), fc.integer({ min: 1, max: 100 }), (o, n, limit) => {
        const older = rows(Math.min(o, limit), 0);
        const newer = rows(Math.min(n, limit), 1000);
        const w = aroundWindow(older, newer, limit);
        expect(w.length).toBe(Math.min(limit, older.length + newer.length));
        if (o >= limit && n >= limit)
          expect(w.length - Math.min(older.length, w.length - Math.floor(limit / 2))).toBe(Math.floor(limit / 2));
      }),
    );
  });
});

describe('SQL id columns', () => {
  it('round-trip every id through the signed column forms drivers return', async () => {
    const { dbId, fromDbId, dbMessageId, fromDbMessageId } = await import('../src/sqlColumns.js');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }), (id) => {
        const s = id.toString();
        expect(fromDbId(dbId(s))).toBe(s);
        expect(fromDbId(dbId(s).toString())).toBe(s);
        expect(fromDbMessageId(dbMessageId(s))).toBe(s);
        expect(fromDbMessageId(dbMessageId(s).toString())).toBe(s);
        if (dbId(s) >= BigInt(Number.MIN_SAFE_INTEGER) && dbId(s) <= BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(fromDbId(Number(dbId(s)))).toBe(s);
        }
      }),
    );
  });
});

describe('agreement with @concord/snowflake', () => {
  it('checks id strings exactly as isSnowflake does (the fast path of create)', async () => {
    const { isSnowflake } = await import('@concord/snowflake');
    const { isIdString } = await import('../src/ids.js');
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '8', '9'), minLength: 0, maxLength: 22 });
    const near = fc.bigInt({ min: MAX_SNOWFLAKE - 1000n, max: MAX_SNOWFLAKE + 1000n }).map(String);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 24 }), digits, near), (s) => {
        expect(isIdString(s)).toBe(isSnowflake(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('stores ids as their signed 64-bit form on both sides of 2^63', async () => {
    const { dbId } = await import('../src/sqlColumns.js');
    const edge = 1n << 63n;
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }), fc.bigInt({ min: edge - 5n, max: edge + 5n })),
        (id) => {
          expect(dbId(id.toString())).toBe(BigInt.asIntN(64, id));
        },
      ),
    );
  });

  it('computes the same bucket as bucketOf', async () => {
    const { bucketOf } = await import('@concord/snowflake');
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }),
        fc.integer({ min: 1, max: 30 * 86_400_000 }),
        (id, ms) => {
          expect(bucketOfId(id, ms)).toBe(bucketOf(id, ms));
        },
      ),
    );
  });
});
