// Every decoder of untrusted bytes in the protocol package, fed arbitrary and deliberately hostile input (issue #12):
// each call returns a value or throws the decoder's typed error (never a RangeError, never a hang), within a time and
// memory budget that grows with the input (helpers/withinBudget.ts). etf.fuzz.test.ts covers ETF's decoding rules;
// the ETF cases here are about its cost.
import zlib from 'node:zlib';
import { Decoder, Encoder } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as portable from '../src/compression/index.js';
import * as node from '../src/compression/node.js';
import { decodeEtf, encodeEtf } from '../src/etf/index.js';
import { CodecError, GatewayQueryError, parseGatewayQuery } from '../src/index.js';
import { decodeJson, encodeJson } from '../src/json/index.js';
import { createMsgpackEncoding, msgpackEncoding } from '../src/msgpack/index.js';
import { budgetFor, measure, withinBudget } from './helpers/withinBudget.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const u16 = (n: number) => [(n >>> 8) & 255, n & 255];
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
/** `token` repeated to fill at most `size` bytes: the shape of the reported frame. */
const repeatTo = (token: readonly number[], size: number) =>
  Uint8Array.from(Array.from({ length: Math.floor(size / token.length) }, () => token).flat());
/** Lengths that are honest, off by one, at a limit, or absurd. */
const lengths = fc.constantFrom(0, 1, 2, 15, 16, 255, 256, 4095, 4096, 0xffff, 100_000, 0x7fffffff, 0xffffffff);
const codes = (...allowed: string[]) => ['ok', ...allowed];

function fuzz(
  arbitrary: fc.Arbitrary<Uint8Array>,
  decode: (bytes: Uint8Array) => unknown,
  allowed: string[],
  numRuns = 300,
): void {
  fc.assert(
    fc.property(arbitrary, (bytes) => {
      const outcome = withinBudget(() => decode(bytes), budgetFor(bytes.byteLength), `${bytes.byteLength} bytes`);
      expect(allowed).toContain(outcome);
    }),
    { numRuns },
  );
}

describe('msgpack decode: bounded by the input', { timeout: 60_000 }, () => {
  const allowed = codes('DECODE_ERROR', 'DEPTH_EXCEEDED');

  it('the reported frame (~1,360 nested array headers in 4 KiB) fails at once, allocating nothing', () => {
    // Before: @msgpack/msgpack allocated each declared array (0.5-1.5 CPU-s and up to 1.3 GB per frame).
    for (const header of [
      [0xdc, 0xff, 0xff], // array16 of 65,535, 1,365 times
      [0xdd, ...u32(100_000)], // array32 at the old maxArrayLength, 819 times
      [0xde, 0xff, 0xff], // map16
      [0xdf, ...u32(100_000)], // map32
    ]) {
      const frame = repeatTo(header, 4095);
      expect(withinBudget(() => msgpackEncoding.decode(frame), budgetFor(frame.byteLength))).toBe('DECODE_ERROR');
      expect(measure(() => msgpackEncoding.decode(frame)).bytes).toBeLessThan(MIB);
    }
  });

  it('nested headers cannot each claim the same remaining bytes', () => {
    // Each header claims what is left after it: honest one level at a time, a lie all together (the first array's
    // elements need those bytes too). Refused at the second header.
    const frame: number[] = [];
    for (let level = 0; level < 60; level++) frame.push(0xdc, ...u16(4000 - 3 * (level + 1)));
    while (frame.length < 4000) frame.push(0xc0);
    expect(() => msgpackEncoding.decode(Uint8Array.from(frame))).toThrow(/at byte 6\)/);
  });

  it('arbitrary bytes', () => {
    fuzz(fc.uint8Array({ maxLength: 4 * KIB }), (b) => msgpackEncoding.decode(b), allowed, 500);
  });

  const token = fc.oneof(
    fc.integer({ min: 0x80, max: 0x9f }).map((h) => [h]),
    fc.tuple(fc.constantFrom(0xdc, 0xde, 0xda, 0xc5, 0xc8), lengths).map(([h, n]) => [h, ...u16(n)]),
    fc.tuple(fc.constantFrom(0xdd, 0xdf, 0xdb, 0xc6, 0xc9), lengths).map(([h, n]) => [h, ...u32(n)]),
    fc.tuple(fc.constantFrom(0xd9, 0xc4, 0xc7), lengths).map(([h, n]) => [h, n & 255]),
    fc.constantFrom(
      [0xc0],
      [0xc1],
      [0xa1, 0x61],
      [0x01],
      [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
      [0xd6, 0xff, 0, 0, 0, 0],
      [0xa9, ...new TextEncoder().encode('__proto__')],
    ),
  );

  it('hostile headers: huge declared lengths, containers, 64-bit values, mixed', () => {
    fuzz(
      fc.array(token, { maxLength: 1500 }).map((t) => Uint8Array.from(t.flat().slice(0, 4 * KIB))),
      (b) => msgpackEncoding.decode(b),
      allowed,
    );
  });

  it('hostile headers repeated to fill a frame (the reported shape, any header)', () => {
    fuzz(
      fc.tuple(token, fc.integer({ min: 1, max: 4 * KIB })).map(([t, size]) => repeatTo(t, Math.max(size, t.length))),
      (b) => msgpackEncoding.decode(b),
      allowed,
    );
  });

  it('deep nesting: DEPTH_EXCEEDED past maxDepth, during decoding, whatever the container', () => {
    const levels: readonly (readonly number[])[] = [
      [0x91],
      [0x81, 0xa1, 0x61],
      [0xdc, 0, 1],
      [0xdd, 0, 0, 0, 1],
      [0xde, 0, 1, 0x01],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...levels), fc.integer({ min: 1, max: 1000 }), (level, depth) => {
        const frame = Uint8Array.from([...Array.from({ length: depth }, () => level).flat(), 0xc0]);
        const outcome = withinBudget(() => msgpackEncoding.decode(frame), budgetFor(frame.byteLength));
        expect(outcome).toBe(depth > 64 ? 'DEPTH_EXCEEDED' : 'ok');
      }),
      { numRuns: 200 },
    );
    // Without a depth limit, a 1 MiB chain is still a typed error (or a value), not a stack overflow.
    const unbounded = createMsgpackEncoding({ maxDepth: Number.POSITIVE_INFINITY });
    const chain = Uint8Array.from([...new Uint8Array(MIB).fill(0x91), 0xc0]);
    expect(codes('DEPTH_EXCEEDED')).toContain(withinBudget(() => unbounded.decode(chain), budgetFor(chain.length)));
  });

  it('decodes what @msgpack/msgpack decodes, to the same values (it stays the reference)', () => {
    const reference = referenceMsgpack();
    const encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true });
    const values = fc.anything({
      maxDepth: 4,
      stringUnit: 'grapheme',
      withBigInt: true,
      withDate: true,
      withTypedArray: true,
      withNullPrototype: false,
    });
    const outcome = (f: () => unknown): { ok: boolean; value?: unknown } => {
      try {
        return { ok: true, value: f() };
      } catch {
        return { ok: false };
      }
    };
    fc.assert(
      fc.property(values, (value) => {
        let bytes: Uint8Array;
        try {
          bytes = encoder.encode(value);
        } catch {
          return; // a bigint beyond 64 bits
        }
        expect(outcome(() => msgpackEncoding.decode(bytes))).toEqual(outcome(() => reference(bytes)));
      }),
      { numRuns: 500 },
    );
    // On garbage the two agree on success or failure (values may differ only in how malformed UTF-8 is replaced).
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.array(token, { maxLength: 12 })), (raw) => {
        const bytes = raw instanceof Uint8Array ? raw : Uint8Array.from(raw.flat());
        expect(outcome(() => msgpackEncoding.decode(bytes)).ok).toBe(outcome(() => reference(bytes)).ok);
      }),
      { numRuns: 2000 },
    );
  });
});

/** The decoder before issue #12 (@msgpack/msgpack, then a pass for depth and 64-bit integers): the value oracle. */
function referenceMsgpack(): (bytes: Uint8Array) => unknown {
  const decoder = new Decoder({ useBigInt64: true, maxStrLength: MIB, maxBinLength: MIB, maxExtLength: 64 * KIB });
  const normalize = (value: unknown, depth: number): unknown => {
    if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
    if (depth >= 64) throw new Error('too deep');
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = normalize(record[key], depth + 1);
    return value;
  };
  return (bytes) => normalize(decoder.decode(bytes), 0);
}

describe('msgpack, JSON and ETF encode: a value too deep is a typed error', () => {
  const nest = (depth: number, leaf: unknown, array: boolean) => {
    let v = leaf;
    for (let i = 0; i < depth; i++) v = array ? [v] : { a: v };
    return v;
  };
  const cyclic: Record<string, unknown> = { id: 1n };
  cyclic.self = cyclic;
  const deepValues = [nest(300, 1, false), nest(100_000, 1, true), nest(100_000, 1n, false), cyclic];

  it('DEPTH_EXCEEDED (CodecError / EtfError), never a RangeError', () => {
    const unbounded = createMsgpackEncoding({ maxDepth: Number.POSITIVE_INFINITY });
    for (const value of deepValues) {
      expect(() => msgpackEncoding.encode(value)).toThrow(
        expect.objectContaining({ name: 'CodecError', code: 'DEPTH_EXCEEDED' }),
      );
      if (value !== deepValues[0]) expect(() => unbounded.encode(value)).toThrow(CodecError);
      expect(() => encodeEtf(value)).toThrow(expect.objectContaining({ name: 'EtfError', code: 'DEPTH_EXCEEDED' }));
    }
    for (const value of deepValues.slice(1, 3)) {
      expect(() => encodeJson(value)).toThrow(expect.objectContaining({ name: 'CodecError', code: 'DEPTH_EXCEEDED' }));
    }
    expect(() => encodeJson(deepValues[0])).toThrow(expect.objectContaining({ code: 'DEPTH_EXCEEDED' }));
    // A cycle is JSON.stringify's own ENCODE_ERROR.
    expect(() => encodeJson(cyclic)).toThrow(expect.objectContaining({ code: 'ENCODE_ERROR' }));
  });

  it('every codec encodes exactly the depth its decoder accepts (64 JSON/msgpack, 128 ETF), and refuses one more', () => {
    const codecs = [
      { name: 'json', limit: 64, encode: encodeJson, decode: (x: string | Uint8Array) => decodeJson(x) },
      { name: 'msgpack', limit: 64, encode: msgpackEncoding.encode, decode: msgpackEncoding.decode },
      { name: 'etf', limit: 128, encode: encodeEtf, decode: (x: string | Uint8Array) => decodeEtf(x as Uint8Array) },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...codecs), fc.integer({ min: 1, max: 300 }), fc.boolean(), (codec, depth, array) => {
        const value = nest(depth, 1, array);
        let encoded: string | Uint8Array;
        try {
          encoded = codec.encode(value);
        } catch (error) {
          expect(error).toMatchObject({ code: 'DEPTH_EXCEEDED' });
          expect(depth).toBeGreaterThan(codec.limit);
          return;
        }
        expect(depth).toBeLessThanOrEqual(codec.limit);
        expect(codec.decode(encoded)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('JSON decode: depth limit and budgets', { timeout: 60_000 }, () => {
  const allowed = codes('DECODE_ERROR', 'DEPTH_EXCEEDED');
  const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}1${close.repeat(depth)}`;

  it('refuses nesting deeper than maxDepth (default 64), as text or as bytes', () => {
    expect(decodeJson(nested(64))).toBeDefined();
    expect(() => decodeJson(nested(65))).toThrow(expect.objectContaining({ code: 'DEPTH_EXCEEDED' }));
    expect(() => decodeJson(new TextEncoder().encode(nested(65, '{"a":', '}')))).toThrow(
      expect.objectContaining({ name: 'CodecError', code: 'DEPTH_EXCEEDED' }),
    );
    expect(decodeJson(nested(100), { maxDepth: 100 })).toBeDefined();
    expect(() => decodeJson(nested(4), { maxDepth: 3 })).toThrow(expect.objectContaining({ code: 'DEPTH_EXCEEDED' }));
    // Brackets inside strings are text, not nesting.
    expect(decodeJson(`["${'['.repeat(1000)}"]`)).toEqual(['['.repeat(1000)]);
  });

  it('a million-deep payload is refused within budget instead of reaching recursive consumers', () => {
    // Before, this decoded (V8's JSON.parse is iterative) and then overflowed whatever walked it next.
    const deep = nested(1_000_000);
    expect(withinBudget(() => decodeJson(deep), budgetFor(deep.length))).toBe('DEPTH_EXCEEDED');
  });

  it('arbitrary text and bytes', () => {
    fuzz(fc.uint8Array({ maxLength: 4 * KIB }), (b) => decodeJson(b), allowed);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 4 * KIB }), (text) => {
        expect(allowed).toContain(withinBudget(() => decodeJson(text), budgetFor(text.length * 3)));
      }),
      { numRuns: 300 },
    );
  });

  it('hostile text: brackets, strings full of brackets and escapes, huge numbers', () => {
    const piece = fc.constantFrom('[', ']', '{', '}', '{"a":', ',', '"[[[', '\\"', '\\\\', '"', '1e999999', '-0', ':');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 2000 }), (pieces) => {
        const text = pieces.join('').slice(0, 4 * KIB);
        expect(allowed).toContain(withinBudget(() => decodeJson(text), budgetFor(text.length)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('ETF decode: bounded by the input', { timeout: 60_000 }, () => {
  const allowed = codes('DECODE_ERROR', 'DEPTH_EXCEEDED', 'PAYLOAD_TOO_LARGE');

  it('nested headers each claiming the remaining bytes cost what the input is, not depth times it', () => {
    // Before: each of 128 levels allocated an array of ~the whole input's length: 256 KiB of input, ~266 MB.
    const size = 256 * KIB;
    const b = new Uint8Array(size);
    b[0] = 131;
    let p = 1;
    for (let level = 0; level < 128; level++, p += 5) b.set([108, ...u32(size - p - 6 - level)], p);
    for (; p + 1 < size; p += 2) b.set([97, 1], p);
    expect(withinBudget(() => decodeEtf(b), budgetFor(size))).toBe('DECODE_ERROR');
    expect(measure(() => decodeEtf(b)).bytes).toBeLessThan(8 * MIB);
  });

  it('a compressed term claiming more than its bytes can inflate to is refused before inflating', () => {
    let calls = 0;
    const inflate = (z: Uint8Array, size: number) => {
      calls++;
      return zlib.inflateSync(z, { maxOutputLength: size });
    };
    // 32 MiB claimed by 4 bytes of "zlib": deflate cannot expand more than 1032:1.
    expect(() => decodeEtf(Uint8Array.from([131, 80, ...u32(32 * MIB), 0x78, 0x9c, 3, 0]), { inflate })).toThrow(
      expect.objectContaining({ code: 'DECODE_ERROR' }),
    );
    // A compressed term inside a list cannot be followed by the list's tail: refused before inflating too.
    const inner = zlib.deflateSync(encodeEtf('x').subarray(1));
    expect(() => decodeEtf(Uint8Array.from([131, 108, ...u32(1), 80, ...u32(3), ...inner, 106]), { inflate })).toThrow(
      expect.objectContaining({ code: 'DECODE_ERROR' }),
    );
    expect(calls).toBe(0);
  });

  const token = fc.oneof(
    fc.tuple(fc.constantFrom(108, 116, 105, 109, 111), lengths).map(([tag, n]) => [tag, ...u32(n)]),
    fc.tuple(fc.constantFrom(107, 100, 118), lengths).map(([tag, n]) => [tag, ...u16(n)]),
    fc.tuple(fc.constantFrom(104, 110, 115, 119), lengths).map(([tag, n]) => [tag, n & 255]),
    fc.constantFrom([106], [97, 1], [98, 0, 0, 0, 1], [109, 0, 0, 0, 0], [80, 0, 0, 0, 10]),
  );

  it('arbitrary bytes and hostile headers', () => {
    fuzz(
      fc.uint8Array({ maxLength: 4 * KIB }).map((b) => Uint8Array.from([131, ...b])),
      (b) => decodeEtf(b),
      allowed,
    );
    fuzz(
      fc.array(token, { maxLength: 1200 }).map((t) => Uint8Array.from([131, ...t.flat()].slice(0, 4 * KIB))),
      (b) => decodeEtf(b),
      allowed,
    );
    fuzz(
      fc
        .tuple(token, fc.integer({ min: 1, max: 4 * KIB }))
        .map(([t, size]) => Uint8Array.from([131, ...repeatTo(t, Math.max(size, t.length))])),
      (b) => decodeEtf(b, { maxDepth: Number.POSITIVE_INFINITY }),
      allowed,
    );
  });

  it('compressed terms: bombs and lies about the size cost at most the size allowed', () => {
    const bomb = zlib.deflateSync(Buffer.alloc(8 * MIB));
    const maxSize = MIB;
    const inflate = (z: Uint8Array, size: number) => zlib.inflateSync(z, { maxOutputLength: Math.max(1, size) });
    fc.assert(
      fc.property(lengths, fc.integer({ min: 1, max: bomb.length }), (declared, cut) => {
        const frame = Uint8Array.from([131, 80, ...u32(declared), ...bomb.subarray(0, cut)]);
        const budget = budgetFor(frame.length);
        const outcome = withinBudget(() => decodeEtf(frame, { inflate, maxSize }), {
          ms: budget.ms + 100,
          bytes: budget.bytes + 2 * maxSize,
        });
        expect(allowed).toContain(outcome);
      }),
      { numRuns: 100 },
    );
  });
});

/** Bytes a bomb may make us hold: the output cap, once more while joining chunks, and a little. */
const inflateBudget = (input: number, maxOutput: number) => {
  const b = budgetFor(input);
  return { ms: b.ms + 200 * (maxOutput / MIB), bytes: b.bytes + 3 * maxOutput };
};

describe('inflaters: output capped, corrupt input typed', { timeout: 120_000 }, () => {
  const allowed = codes('DECOMPRESSION_ERROR', 'DECOMPRESSION_LIMIT');
  const zeros = (n: number, flush?: number) =>
    new Uint8Array(zlib.deflateSync(Buffer.alloc(n), flush === undefined ? {} : { finishFlush: flush }));
  const syncBomb = zeros(16 * MIB, zlib.constants.Z_SYNC_FLUSH);
  const payloadBomb = zeros(16 * MIB);
  /** Frames a zlib-stream peer could send: garbage, damaged or truncated bombs, lying stored blocks, all flushed. */
  const streamFrame = fc.oneof(
    fc.uint8Array({ maxLength: 4 * KIB }),
    fc.integer({ min: 2, max: syncBomb.length }).map((cut) => syncBomb.subarray(0, cut)),
    fc
      .tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([at, v]) => syncBomb.map((x, i) => (i === 2 + (at % (syncBomb.length - 2)) ? v : x))),
    fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 64 })).map(([len, data]) =>
      // zlib header, then a stored block whose LEN/NLEN may lie
      Uint8Array.from([0x78, 0x9c, 0x00, len & 255, len >>> 8, ~len & 255, (~len >>> 8) & 255, ...data]),
    ),
  );
  const withSuffix = (b: Uint8Array) => Uint8Array.from([...b, 0, 0, 0xff, 0xff]);

  it('a 16 MiB bomb against a 1 MiB cap allocates about the cap, on every path', () => {
    const maxOutput = MIB;
    for (const [name, inflate] of [
      ['zlib-stream node:zlib', () => node.createNodeZlibStreamInflater({ maxOutput }).push(syncBomb)],
      ['zlib-stream pako', () => portable.createPortableZlibStreamInflater({ maxOutput }).push(syncBomb)],
      ['payload node:zlib', () => node.nodeInflatePayload(payloadBomb, { maxOutput })],
      ['payload pako', () => portable.portableInflatePayload(payloadBomb, { maxOutput })],
    ] as const) {
      // Measured: 1.04-1.27 MiB (the cap plus one 16 KiB output chunk, pako's window and state).
      const m = measure(inflate);
      expect(m.outcome, name).toBe('DECOMPRESSION_LIMIT');
      expect(m.bytes, name).toBeLessThan(maxOutput + 512 * KIB);
    }
  });

  for (const [name, make] of [
    ['node:zlib', node.createNodeZlibStreamInflater],
    ['portable (pako)', portable.createPortableZlibStreamInflater],
  ] as const) {
    it(`zlib-stream ${name}: a bomb stops at maxOutput, whatever the frame`, () => {
      const maxOutput = MIB;
      fc.assert(
        fc.property(streamFrame, (frame) => {
          const input = withSuffix(frame);
          const outcome = withinBudget(() => make({ maxOutput }).push(input), inflateBudget(input.length, maxOutput));
          expect(allowed).toContain(outcome);
        }),
        { numRuns: 150 },
      );
      // The default cap (32 MiB) holds too: 16 MiB of zeros pass, one byte less of cap does not.
      expect(withinBudget(() => make().push(syncBomb), inflateBudget(syncBomb.length, 32 * MIB))).toBe('ok');
      expect(
        withinBudget(() => make({ maxOutput: 16 * MIB - 1 }).push(syncBomb), inflateBudget(syncBomb.length, 16 * MIB)),
      ).toBe('DECOMPRESSION_LIMIT');
    });

    it(`zlib-stream ${name}: frames without the suffix are buffered up to maxInput only`, () => {
      const inflater = make({ maxInput: 64 * KIB });
      const frame = new Uint8Array(16 * KIB).fill(7);
      const outcomes = Array.from({ length: 6 }, () =>
        withinBudget(() => inflater.push(frame), budgetFor(frame.length)),
      );
      expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'DECOMPRESSION_LIMIT', 'CLOSED']);
    });
  }

  for (const [name, inflate] of [
    ['node:zlib', node.nodeInflatePayload],
    ['portable (pako)', portable.portableInflatePayload],
  ] as const) {
    it(`compress:true payload ${name}: bombs and garbage`, () => {
      const maxOutput = MIB;
      const frame = fc.oneof(
        fc.uint8Array({ maxLength: 4 * KIB }),
        fc.integer({ min: 2, max: payloadBomb.length }).map((cut) => payloadBomb.subarray(0, cut)),
      );
      fc.assert(
        fc.property(frame, (bytes) => {
          const outcome = withinBudget(() => inflate(bytes, { maxOutput }), inflateBudget(bytes.length, maxOutput));
          expect(allowed).toContain(outcome);
        }),
        { numRuns: 150 },
      );
      expect(withinBudget(() => inflate(payloadBomb), inflateBudget(payloadBomb.length, 32 * MIB))).toBe('ok');
      expect(
        withinBudget(() => inflate(payloadBomb, { maxOutput }), inflateBudget(payloadBomb.length, maxOutput)),
      ).toBe('DECOMPRESSION_LIMIT');
    });
  }

  describe.skipIf(!node.zstdAvailable())('zstd-stream (node:zlib zstd)', () => {
    it('a bomb stops at maxOutput; garbage is DECOMPRESSION_ERROR', () => {
      const bomb = node.createZstdStreamDeflater().compress(new Uint8Array(16 * MIB));
      const maxOutput = MIB;
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 4 * KIB }),
            fc.integer({ min: 1, max: bomb.length }).map((cut) => bomb.subarray(0, cut)),
          ),
          (frame) => {
            const outcome = withinBudget(
              () => node.createZstdStreamInflater({ maxOutput }).push(frame),
              inflateBudget(frame.length, maxOutput),
            );
            expect(allowed).toContain(outcome);
          },
        ),
        { numRuns: 150 },
      );
    });

    it('a frame header asking for a 128 MiB window is refused (the cap is 8 MiB)', () => {
      // magic, no flags, window descriptor 0x88 (2^27), one raw block of one byte
      const frame = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x88, 0x09, 0x00, 0x00, 0x78]);
      expect(withinBudget(() => node.createZstdStreamInflater().push(frame), budgetFor(frame.length))).toBe(
        'DECOMPRESSION_ERROR',
      );
      const small = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x09, 0x00, 0x00, 0x78]); // 2^21
      expect(Buffer.from(node.createZstdStreamInflater().push(small)!).toString()).toBe('x');
    });
  });
});

describe('gateway connect URL parsing', () => {
  it('arbitrary and hostile query strings: a GatewayQuery or a GatewayQueryError, within budget', () => {
    const param = fc.tuple(
      fc.oneof(fc.constantFrom('v', 'encoding', 'compress', '__proto__', 'v%00'), fc.string({ maxLength: 20 })),
      fc.oneof(
        fc.constantFrom('10', '9', '010', '1e1', 'json', 'etf', 'msgpack', 'zlib-stream', 'zstd-stream', '%', '%zz'),
        fc.string({ unit: 'binary', maxLength: 200 }),
      ),
    );
    const url = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 * KIB }),
      fc
        .array(param, { maxLength: 300 })
        .map((ps) => `/?${ps.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`),
    );
    fc.assert(
      fc.property(url, (text) => {
        const outcome = withinBudget(() => parseGatewayQuery(text), budgetFor(text.length * 3));
        expect(codes('UNSUPPORTED_VERSION', 'UNSUPPORTED_ENCODING', 'UNSUPPORTED_COMPRESSION')).toContain(outcome);
      }),
      { numRuns: 500 },
    );
    expect(() => parseGatewayQuery('/?v=11')).toThrow(GatewayQueryError);
  });
});
