// Hostile input: whatever the bytes, decodeEtf returns a value or throws an EtfError, quickly and without
// allocating more than the input justifies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEtf, EtfError, encodeEtf } from '../src/etf/index.js';

const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** Runs decodeEtf and returns the error code, or 'ok'; anything thrown that is not an EtfError fails the test. */
function outcome(data: Uint8Array, options?: Parameters<typeof decodeEtf>[1]): string {
  try {
    decodeEtf(data, options);
    return 'ok';
  } catch (error) {
    if (!(error instanceof EtfError)) throw error;
    return error.code;
  }
}

const TAGS = [70, 80, 97, 98, 99, 100, 104, 105, 106, 107, 108, 109, 110, 111, 115, 116, 118, 119];
/** Random bytes, biased towards real tags and small lengths so that the decoder gets past the first byte. */
const noisyTerm = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...TAGS) },
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 255 }) },
    ),
    { maxLength: 300 },
  )
  .map((b) => Uint8Array.from([131, ...b]));

const payload = fc.record({
  op: fc.integer({ min: 0, max: 11 }),
  d: fc.jsonValue({ maxDepth: 3 }),
  s: fc.oneof(fc.constant(null), fc.nat()),
  t: fc.oneof(fc.constant(null), fc.string()),
});

describe('decodeEtf on hostile input', { timeout: 30_000 }, () => {
  it('random bytes: a value or an EtfError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), noisyTerm, (raw, noisy) => {
        outcome(raw);
        outcome(noisy);
        outcome(noisy, { maxDepth: 3, maxElements: 10 });
      }),
      { numRuns: 3000 },
    );
  });

  it('every truncation of a valid payload is a DECODE_ERROR', () => {
    fc.assert(
      fc.property(payload, (p) => {
        const full = encodeEtf(p);
        const wrong: number[] = [];
        // Every cut of small payloads; 300 spread over a big one (all of them would make this quadratic).
        const step = Math.max(1, Math.floor(full.length / 300));
        for (let len = 0; len < full.length; len += step) {
          if (outcome(full.subarray(0, len)) !== 'DECODE_ERROR') wrong.push(len);
        }
        if (outcome(full.subarray(0, full.length - 1)) !== 'DECODE_ERROR') wrong.push(full.length - 1);
        expect(wrong).toEqual([]);
        expect(outcome(full)).toBe('ok');
      }),
      { numRuns: 150 },
    );
  });

  it('a valid payload with bytes overwritten: a value or an EtfError', () => {
    fc.assert(
      fc.property(
        payload,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (p, edits) => {
          const bytes = encodeEtf(p);
          for (const [at, v] of edits) bytes[at % bytes.length] = v;
          outcome(bytes);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a header claiming more than the input holds fails at the header, before anything is allocated', () => {
    for (const count of [0xffffffff, 99_999, 300]) {
      const headers = [
        [108, ...u32(count)], // LIST
        [116, ...u32(count)], // MAP
        [105, ...u32(count)], // LARGE_TUPLE
        [109, ...u32(count)], // BINARY
        [111, ...u32(count)], // LARGE_BIG
        [107, 0xff, 0xff], // STRING_EXT
        [100, 0xff, 0xff], // ATOM
        [118, 0xff, 0xff], // ATOM_UTF8
        [104, 0xff], // SMALL_TUPLE
      ];
      for (const h of headers) {
        // A few real elements follow: the lie is in the count. The error's offset is the end of the header, so the
        // count was checked against the bytes left before any element was read (or any array made for them).
        const input = Uint8Array.from([131, ...h, 97, 1, 97, 2, 97, 3]);
        expect(() => decodeEtf(input)).toThrow(expect.objectContaining({ code: 'DECODE_ERROR', offset: 1 + h.length }));
        const nested = Uint8Array.from([131, 116, 0, 0, 0, 1, 109, 0, 0, 0, 1, 120, ...h, 97, 1]);
        expect(() => decodeEtf(nested)).toThrow(
          expect.objectContaining({ code: 'DECODE_ERROR', offset: 12 + h.length }),
        );
      }
    }
  });

  it('maxElements bounds what an honest but oversized input may build', () => {
    const manyElements = encodeEtf(Array.from({ length: 10_000 }, () => []));
    expect(outcome(manyElements, { maxElements: 5000 })).toBe('PAYLOAD_TOO_LARGE');
    expect(outcome(manyElements)).toBe('ok');
  });
});

describe('decodeEtf depth limit', { timeout: 30_000 }, () => {
  const nestedLists = (depth: number) => {
    const open = Array.from({ length: depth }, () => [108, 0, 0, 0, 1]).flat();
    return Uint8Array.from([131, ...open, 106, ...Array(depth).fill(106)]);
  };
  const nestedTuples = (depth: number) => Uint8Array.from([131, ...Array(depth).fill([104, 1]).flat(), 97, 0]);
  const nestedMaps = (depth: number) =>
    Uint8Array.from([131, ...Array(depth).fill([116, 0, 0, 0, 1, 97, 1]).flat(), 106]);

  it('accepts exactly maxDepth levels and refuses one more (default 128)', () => {
    for (const make of [nestedLists, nestedTuples, nestedMaps]) {
      expect(outcome(make(128))).toBe('ok');
      expect(outcome(make(129))).toBe('DEPTH_EXCEEDED');
      expect(outcome(make(10), { maxDepth: 10 })).toBe('ok');
      expect(outcome(make(11), { maxDepth: 10 })).toBe('DEPTH_EXCEEDED');
    }
  });

  it('deep nesting under any limit: DEPTH_EXCEEDED, even past what the stack holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 300 }), (limit, depth) => {
        expect(outcome(nestedTuples(depth), { maxDepth: limit })).toBe(depth > limit ? 'DEPTH_EXCEEDED' : 'ok');
      }),
      { numRuns: 200 },
    );
    expect(outcome(nestedTuples(500_000), { maxDepth: Number.POSITIVE_INFINITY })).toBe('DEPTH_EXCEEDED');
  });
});
