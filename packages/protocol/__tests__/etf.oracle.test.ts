// erlpack (Discord's native codec, a devDependency only) as the oracle: our encoder must produce its bytes exactly, and
// our decoder must produce what it produces, on gateway-shaped payloads and on terms a server can send.
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEtf, encodeEtf } from '../src/etf/index.js';

const require = createRequire(import.meta.url);
const erlpack = require('erlpack') as { pack(value: unknown): Uint8Array; unpack(data: Uint8Array): unknown };

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u16 = (n: number) => [n >>> 8, n & 255];
const utf8 = (s: string) => [...new TextEncoder().encode(s)];

// erlpack writes array-index-like keys ("0".."4294967294") as integers where we write binaries (see README), and
// "__proto__" goes through a prototype setter in erlpack's decoder: both are covered by fixed vectors instead.
const isIndexKey = (k: string) => /^(0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1;

const snowflake = fc.bigInt({ min: 1n << 22n, max: (1n << 63n) - 1n }).map(String);
const int = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: 2 ** 31, max: 2 ** 32 - 1 }),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -1, 255, 256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32 - 1, 2 ** 32, -(2 ** 31) - 1, 2 ** 53 - 1),
);
const str = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  // Raw UTF-16 units: lone surrogates, which both encoders must turn into U+FFFD.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 30, maxLength: 300 }),
  fc.constantFrom('', '😀', 'héllo wörld', '日本語', '\u{1f469}\u200d\u{1f4bb}', '\ufeffbom', 'MESSAGE_CREATE'),
  snowflake,
);
const key = fc
  .oneof(
    fc.constantFrom('id', 'op', 'd', 's', 't', 'content', 'author', 'username', 'guild_id', 'channel_id', 'embeds'),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
  )
  .filter((k) => k !== '__proto__' && !isIndexKey(k));
const leaf = fc.oneof(int, fc.double(), str, fc.boolean(), fc.constant(null), fc.constant(undefined));
const { value } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 8 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 8, noNullPrototype: true }),
}));
const payload = fc.record({
  op: fc.integer({ min: 0, max: 50 }),
  d: value,
  s: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 2 ** 31 - 1 })),
  t: fc.oneof(fc.constant(null), fc.constantFrom('READY', 'GUILD_CREATE', 'MESSAGE_CREATE'), str),
});

/** What a JS value looks like after any faithful ETF round trip. */
function normalise(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'string') return (v as string & { toWellFormed(): string }).toWellFormed();
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [normalise(k), normalise(x)]));
  }
  return v;
}

describe('encodeEtf matches erlpack.pack byte for byte', { timeout: 30_000 }, () => {
  it('on gateway payloads', () => {
    fc.assert(
      fc.property(payload, (p) => {
        expect(hex(encodeEtf(p))).toBe(hex(erlpack.pack(p)));
      }),
      { numRuns: 500 },
    );
  });

  it('on any JSON-like value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(hex(encodeEtf(v))).toBe(hex(erlpack.pack(v)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('decodeEtf matches erlpack.unpack', { timeout: 30_000 }, () => {
  it('on what erlpack packs', () => {
    fc.assert(
      fc.property(payload, (p) => {
        const packed = erlpack.pack(p);
        expect(decodeEtf(packed)).toEqual(erlpack.unpack(packed));
      }),
      { numRuns: 500 },
    );
  });

  it('round trips through our own encoder', () => {
    fc.assert(
      fc.property(payload, (p) => {
        expect(decodeEtf(encodeEtf(p))).toEqual(normalise(p));
      }),
      { numRuns: 500 },
    );
  });

  // Terms as an Erlang/Elixir server writes them: atoms (keys too), tuples, 64-bit bigs, STRING_EXT, old floats,
  // binaries that are not valid UTF-8.
  const bytesOf = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max });
  const atomName = fc.oneof(
    fc.constantFrom('nil', 'true', 'false', 'null', 'ok', 'error', 'id', 'op'),
    fc.string({ unit: 'binary-ascii', maxLength: 10 }),
  );
  const erlangFloat = (x: number) => {
    // C's "%.20e": a signed exponent of at least two digits.
    const [m, e] = x.toExponential(20).split('e') as [string, string];
    const exp = `${e[0]}${e.slice(1).padStart(2, '0')}`;
    return [...`${m}e${exp}`.padEnd(31, '\0')].map((c) => c.charCodeAt(0));
  };
  const leafTerm = fc.oneof(
    fc.integer({ min: 0, max: 255 }).map((n) => [97, n]),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => [98, ...u32(n >>> 0)]),
    fc.double({ noNaN: true }).map((x) => {
      const b = new Uint8Array(9);
      b[0] = 70;
      new DataView(b.buffer).setFloat64(1, x);
      return [...b];
    }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => [99, ...erlangFloat(x)]),
    atomName.map((a) => [115, a.length, ...utf8(a)]),
    atomName.map((a) => [100, ...u16(a.length), ...utf8(a)]),
    bytesOf(40).map((b) => [107, ...u16(b.length), ...b]),
    bytesOf(40).map((b) => [109, ...u32(b.length), ...b]),
    str.map((s) => utf8(s)).map((b) => [109, ...u32(b.length), ...b]),
    fc.tuple(fc.integer({ min: 0, max: 1 }), bytesOf(8)).map(([sign, d]) => [110, d.length, sign, ...d]),
    fc.tuple(fc.integer({ min: 0, max: 1 }), bytesOf(8)).map(([sign, d]) => [111, ...u32(d.length), sign, ...d]),
    fc.bigInt({ min: 1n << 22n, max: (1n << 64n) - 1n }).map((v) => [...encodeEtf(v).subarray(1)]),
    fc.constant<number[]>([106]),
  );
  const keyTerm = fc.oneof(
    atomName.filter((a) => a !== '__proto__').map((a) => [115, a.length, ...utf8(a)]),
    key.map((k) => utf8(k)).map((b) => [109, ...u32(b.length), ...b]),
    fc.integer({ min: 0, max: 255 }).map((n) => [97, n]),
  );
  const { term } = fc.letrec<{ term: number[]; list: number[]; tuple: number[]; map: number[] }>((tie) => ({
    term: fc.oneof({ depthSize: 'small' }, leafTerm, tie('list'), tie('tuple'), tie('map')),
    list: fc.array(tie('term'), { maxLength: 5 }).map((xs) => [108, ...u32(xs.length), ...xs.flat(), 106]),
    tuple: fc
      .tuple(fc.boolean(), fc.array(tie('term'), { maxLength: 5 }))
      .map(([large, xs]) => (large ? [105, ...u32(xs.length)] : [104, xs.length]).concat(xs.flat())),
    map: fc
      .array(fc.tuple(keyTerm, tie('term')), { maxLength: 5 })
      .map((kv) => [116, ...u32(kv.length), ...kv.flatMap(([k, v]) => [...k, ...v])]),
  }));

  it('on server-written terms of every tag erlpack reads', () => {
    fc.assert(
      fc.property(term, (t) => {
        const input = Uint8Array.from([131, ...t]);
        expect(decodeEtf(input)).toEqual(erlpack.unpack(input));
      }),
      { numRuns: 1000 },
    );
  });
});
