import { readdirSync, readFileSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeEtf, EtfError, encodeEtf, etfEncoding } from '../src/etf/index.js';
import { ProtocolError } from '../src/ProtocolError.js';

/** Builds a term from byte values and strings (Latin-1 / ASCII characters). */
function bytes(...parts: (number | string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const ch of p) out.push(ch.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u16 = (n: number) => [n >>> 8, n & 255];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function expectError(fn: () => unknown, code: string): EtfError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EtfError);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as EtfError).code).toBe(code);
    return error as EtfError;
  }
  throw new Error(`expected an EtfError ${code}`);
}

describe('decodeEtf: one vector per tag', () => {
  const cases: [string, Uint8Array, unknown][] = [
    ['SMALL_INTEGER_EXT', bytes(131, 97, 200), 200],
    ['INTEGER_EXT positive', bytes(131, 98, u32(70000)), 70000],
    ['INTEGER_EXT negative', bytes(131, 98, u32(-5 >>> 0)), -5],
    ['FLOAT_EXT', bytes(131, 99, '1.50000000000000000000e+00'.padEnd(31, '\0')), 1.5],
    ['FLOAT_EXT negative', bytes(131, 99, '-2.50000000000000000000e-01'.padEnd(31, '\0')), -0.25],
    ['NEW_FLOAT_EXT', bytes(131, 70, [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]), Math.PI],
    ['ATOM_EXT', bytes(131, 100, u16(5), 'hello'), 'hello'],
    ['SMALL_ATOM_EXT', bytes(131, 115, 5, 'hello'), 'hello'],
    ['ATOM_UTF8_EXT', bytes(131, 118, u16(4), [0xc3, 0xa9, 0x74, 0xc3]), '\u00e9t\ufffd'],
    ['SMALL_ATOM_UTF8_EXT', bytes(131, 119, 3, [0xc3, 0xa9, 0x74]), '\u00e9t'],
    ['atom nil', bytes(131, 115, 3, 'nil'), null],
    ['atom null', bytes(131, 100, u16(4), 'null'), null],
    ['atom true', bytes(131, 119, 4, 'true'), true],
    ['atom false', bytes(131, 118, u16(5), 'false'), false],
    ['SMALL_TUPLE_EXT', bytes(131, 104, 2, 97, 1, 115, 2, 'ok'), [1, 'ok']],
    ['LARGE_TUPLE_EXT', bytes(131, 105, u32(2), 97, 1, 106), [1, []]],
    ['NIL_EXT', bytes(131, 106), []],
    ['STRING_EXT', bytes(131, 107, u16(3), [1, 2, 255]), [1, 2, 255]],
    ['LIST_EXT', bytes(131, 108, u32(2), 97, 1, 97, 2, 106), [1, 2]],
    ['BINARY_EXT ascii', bytes(131, 109, u32(5), 'hello'), 'hello'],
    ['BINARY_EXT utf-8', bytes(131, 109, u32(4), [0xf0, 0x9f, 0x98, 0x80]), '\u{1f600}'],
    ['BINARY_EXT keeps a BOM', bytes(131, 109, u32(4), [0xef, 0xbb, 0xbf, 0x61]), '\ufeffa'],
    ['BINARY_EXT empty', bytes(131, 109, u32(0)), ''],
    ['SMALL_BIG_EXT 4 bytes', bytes(131, 110, 4, 0, [0, 0, 0, 0x80]), 2 ** 31],
    ['SMALL_BIG_EXT 4 bytes negative', bytes(131, 110, 4, 1, [0xff, 0xff, 0xff, 0x7f]), -(2 ** 31 - 1)],
    ['SMALL_BIG_EXT negative below int32 → string', bytes(131, 110, 4, 1, [0, 0, 0, 0x80]), '-2147483648'],
    ['SMALL_BIG_EXT 5 bytes → string', bytes(131, 110, 5, 0, [0, 0, 0, 0, 1]), '4294967296'],
    // A Discord snowflake as Discord sends it: 8 little-endian bytes.
    [
      'SMALL_BIG_EXT snowflake',
      bytes(131, 110, 8, 0, [0x00, 0x00, 0x3d, 0x91, 0x60, 0xe4, 0x58, 0x11]),
      '1250000000000000000',
    ],
    ['SMALL_BIG_EXT u64 max', bytes(131, 110, 8, 1, Array(8).fill(255)), '-18446744073709551615'],
    ['SMALL_BIG_EXT zero digits', bytes(131, 110, 0, 0), 0],
    ['LARGE_BIG_EXT', bytes(131, 111, u32(9), 0, [0, 0, 0, 0, 0, 0, 0, 0, 1]), '18446744073709551616'],
    [
      'MAP_EXT binary and atom keys',
      bytes(131, 116, u32(2), 109, u32(2), 'op', 97, 10, 115, 1, 'd', 115, 3, 'nil'),
      { op: 10, d: null },
    ],
    ['MAP_EXT integer key', bytes(131, 116, u32(1), 97, 7, 97, 1), { 7: 1 }],
    ['trailing bytes are ignored (as erlpack)', bytes(131, 97, 1, 0xff, 0xff), 1],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(decodeEtf(input)).toEqual(expected);
    });
  }

  it('reads a view that does not start at its buffer start (a Node Buffer from a pool)', () => {
    const term = encodeEtf({ f: 0.1, n: -7, s: 'x' });
    const pool = new Uint8Array(term.length + 13);
    pool.set(term, 13);
    expect(decodeEtf(pool.subarray(13))).toEqual({ f: 0.1, n: -7, s: 'x' });
    expect(decodeEtf(Buffer.concat([Buffer.alloc(3), Buffer.from(term)]).subarray(3))).toEqual({
      f: 0.1,
      n: -7,
      s: 'x',
    });
  });

  it('COMPRESSED with an inflate hook', () => {
    const inner = encodeEtf({ t: 'READY', d: { guilds: Array.from({ length: 20 }, () => ({ unavailable: true })) } });
    const zlibbed = deflateSync(inner.subarray(1));
    const input = bytes(131, 80, u32(inner.length - 1), [...zlibbed]);
    const inflate = (z: Uint8Array, size: number) => inflateSync(z, { maxOutputLength: size });
    expect(decodeEtf(input, { inflate })).toEqual(decodeEtf(inner));
  });

  it('COMPRESSED without an inflate hook is a typed error', () => {
    const inner = encodeEtf('x');
    expectError(
      () => decodeEtf(bytes(131, 80, u32(inner.length - 1), [...deflateSync(inner.subarray(1))])),
      'DECODE_ERROR',
    );
  });

  it('COMPRESSED claiming more than maxSize is refused before inflating', () => {
    let called = false;
    const inflate = () => {
      called = true;
      return new Uint8Array(0);
    };
    expectError(
      () => decodeEtf(bytes(131, 80, u32(2 ** 31), 1, 2, 3), { maxSize: 4096, inflate }),
      'PAYLOAD_TOO_LARGE',
    );
    // Without maxSize, a 64 MiB cap still stands between a 10-byte input and a 4 GiB allocation.
    expectError(() => decodeEtf(bytes(131, 80, u32(2 ** 32 - 1), 1, 2, 3), { inflate }), 'PAYLOAD_TOO_LARGE');
    expect(called).toBe(false);
  });

  it('COMPRESSED whose inflater fails or lies about the size', () => {
    const throwing = () => {
      throw new Error('bad zlib');
    };
    expectError(() => decodeEtf(bytes(131, 80, u32(4), 1, 2), { inflate: throwing }), 'DECODE_ERROR');
    expectError(() => decodeEtf(bytes(131, 80, u32(4), 1, 2), { inflate: () => new Uint8Array(3) }), 'DECODE_ERROR');
  });

  it('a map key "__proto__" becomes an own property, not a prototype', () => {
    const out = decodeEtf(
      bytes(131, 116, u32(1), 109, u32(9), '__proto__', 116, u32(1), 109, u32(1), 'x', 97, 1),
    ) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(out.x).toBeUndefined();
  });
});

describe('decodeEtf: errors', () => {
  it('rejects empty input, a wrong version byte and unknown tags', () => {
    expectError(() => decodeEtf(new Uint8Array(0)), 'DECODE_ERROR');
    expectError(() => decodeEtf(bytes(130, 97, 1)), 'DECODE_ERROR');
    for (const tag of [77, 88, 90, 101, 102, 103, 112, 113, 114, 117, 0, 255]) {
      expectError(() => decodeEtf(bytes(131, tag, 0, 0, 0, 0, 0, 0, 0, 0, 0)), 'DECODE_ERROR');
    }
  });

  it('rejects an improper list', () => {
    const err = expectError(() => decodeEtf(bytes(131, 108, u32(1), 97, 1, 97, 2)), 'DECODE_ERROR');
    expect(err.offset).toBe(8);
  });

  it('rejects a FLOAT_EXT that is not a number, accepts what sscanf accepts', () => {
    expectError(() => decodeEtf(bytes(131, 99, 'abc'.padEnd(31, '\0'))), 'DECODE_ERROR');
    expect(decodeEtf(bytes(131, 99, '-inf'.padEnd(31, '\0')))).toBe(Number.NEGATIVE_INFINITY);
    expect(decodeEtf(bytes(131, 99, ' NaN'.padEnd(31, '\0')))).toBeNaN();
  });

  it('takes an ArrayBuffer, refuses other non-bytes', () => {
    expect(decodeEtf(encodeEtf([1, 'a']).slice().buffer as unknown as Uint8Array)).toEqual([1, 'a']);
    expectError(() => decodeEtf([131, 97, 1] as unknown as Uint8Array), 'DECODE_ERROR');
  });

  it('rejects bigs wider than 256 bytes', () => {
    expectError(() => decodeEtf(bytes(131, 111, u32(300), 0, Array(300).fill(1))), 'DECODE_ERROR');
  });

  it('rejects text input through the Encoding', () => {
    expectError(() => etfEncoding.decode('\x83a\x01'), 'DECODE_ERROR');
  });

  it('refuses input over maxSize', () => {
    expectError(() => decodeEtf(encodeEtf('x'.repeat(5000)), { maxSize: 4096 }), 'PAYLOAD_TOO_LARGE');
    expect(decodeEtf(encodeEtf('x'.repeat(4000)), { maxSize: 4096 })).toBe('x'.repeat(4000));
  });

  it('refuses more elements than maxElements', () => {
    const list = encodeEtf(Array.from({ length: 50 }, (_, i) => i));
    expectError(() => decodeEtf(list, { maxElements: 49 }), 'PAYLOAD_TOO_LARGE');
    expect(decodeEtf(list, { maxElements: 50 })).toHaveLength(50);
    const nested = encodeEtf({ a: [1, 2, 3], b: { c: 'd' } });
    // 2 pairs + 3 elements + 1 pair
    expect(() => decodeEtf(nested, { maxElements: 6 })).not.toThrow();
    expectError(() => decodeEtf(nested, { maxElements: 5 }), 'PAYLOAD_TOO_LARGE');
  });
});

describe('encodeEtf: vectors', () => {
  const cases: [string, unknown, string][] = [
    ['null → nil', null, '8373036e696c'],
    ['undefined → nil', undefined, '8373036e696c'],
    ['true', true, '83730474727565'],
    ['false', false, '83730566616c7365'],
    ['0..255 → SMALL_INTEGER', 255, '8361ff'],
    ['int32 → INTEGER', -1, '8362ffffffff'],
    ['uint32 → 4-byte SMALL_BIG', 2 ** 32 - 1, '836e0400ffffffff'],
    ['beyond uint32 → NEW_FLOAT (as erlpack)', 2 ** 32, '834641f0000000000000'],
    ['-0 → NEW_FLOAT', -0, '83468000000000000000'],
    ['float', 0.5, '83463fe0000000000000'],
    ['string → BINARY', 'hé', '836d0000000368c3a9'],
    ['lone surrogate → U+FFFD', '\ud83d', '836d00000003efbfbd'],
    ['empty array → NIL', [], '836a'],
    ['array → LIST', [1, 'a'], '836c0000000261016d00000001616a'],
    ['object → MAP with BINARY keys', { op: 1 }, '8374000000016d000000026f706101'],
    ['index-like keys stay BINARY (erlpack writes integers)', { 1: true }, '8374000000016d0000000131730474727565'],
    ['Uint8Array → BINARY', Uint8Array.of(1, 2, 3), '836d00000003010203'],
    ['bigint snowflake → 8-byte SMALL_BIG', 1250000000000000000n, '836e080000003d9160e45811'],
    ['negative bigint', -256n, '836e02010001'],
    ['0n', 0n, '836e010000'],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => {
      expect(hex(encodeEtf(value))).toBe(expected);
    });
  }

  it('encodes LARGE_BIG beyond 255 bytes and decodes it back up to 256 bytes', () => {
    const v = 2n ** 2047n + 12345n; // 256 bytes
    const out = encodeEtf(v);
    expect(out[1]).toBe(111);
    expect(decodeEtf(out)).toBe(v.toString());
    expect(decodeEtf(encodeEtf(-(2n ** 100n)))).toBe((-(2n ** 100n)).toString());
    expect(encodeEtf(2n ** 2048n)[1]).toBe(111);
    expectError(() => decodeEtf(encodeEtf(2n ** 2048n)), 'DECODE_ERROR');
  });

  it('writes own enumerable string-keyed properties only, as erlpack', () => {
    const o = Object.create({ inherited: 1 }) as Record<string | symbol, unknown>;
    o.own = 2;
    o[Symbol('s')] = 3;
    Object.defineProperty(o, 'hidden', { value: 4, enumerable: false });
    expect(hex(encodeEtf(o))).toBe(hex(encodeEtf({ own: 2 })));
    expect(decodeEtf(encodeEtf(new Date(0)))).toEqual({});
  });

  it('rejects functions and symbols, and cycles', () => {
    expectError(() => encodeEtf(() => 1), 'ENCODE_ERROR');
    expectError(() => encodeEtf({ a: Symbol('x') }), 'ENCODE_ERROR');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectError(() => encodeEtf(cyclic), 'DEPTH_EXCEEDED');
  });

  it('wraps a throwing getter, and the next call still works', () => {
    const bad = {
      get x() {
        throw new Error('boom');
      },
    };
    expectError(() => encodeEtf(bad), 'ENCODE_ERROR');
    expect(hex(encodeEtf(1))).toBe('836101');
  });

  it('is re-entrant (a getter that encodes)', () => {
    const inner = { a: 'inner' };
    const outer = {
      get x() {
        return decodeEtf(encodeEtf(inner));
      },
    };
    expect(decodeEtf(encodeEtf(outer))).toEqual({ x: { a: 'inner' } });
  });

  it('returns buffers that later calls do not overwrite, and grows past the initial buffer', () => {
    const a = encodeEtf('first');
    const big = 'y'.repeat(3_000_000);
    const b = encodeEtf(big);
    expect(decodeEtf(a)).toBe('first');
    expect(decodeEtf(b)).toBe(big);
    expect(decodeEtf(encodeEtf({ big: 'é'.repeat(100_000) }))).toEqual({ big: 'é'.repeat(100_000) });
  });

  it('etfEncoding is the binary etf Encoding', () => {
    expect(etfEncoding.name).toBe('etf');
    expect(etfEncoding.binary).toBe(true);
    const frame = etfEncoding.encode({ op: 1, d: null });
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(etfEncoding.decode(frame as Uint8Array)).toEqual({ op: 1, d: null });
  });
});

describe('browser safety', () => {
  it('the codec imports nothing from node and does not touch Buffer', () => {
    const dir = new URL('../src/etf/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const code = readFileSync(new URL(f, dir), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      expect(code, f).not.toMatch(/from '(node:|[a-z])/);
      expect(code, f).not.toMatch(/\bBuffer\b|\brequire\(|\bprocess\./);
    }
  });
});
