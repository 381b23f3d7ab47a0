// Issue #13 cause 7: clients (discord.py) send snowflakes as JSON numbers; beyond 2^53 JSON.parse rounds them. The
// decode of client payloads keeps them exact, as strings; the default decode (server dispatches) is untouched.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../src/index.js';
import { decodeJson } from '../src/json/index.js';

const LOSSLESS = { unsafeIntegers: 'string' } as const;

/** JSON text of a value whose bigints are written as bare integer literals (what a Python client sends). */
function pythonJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** What the lossless decode must give: safe integers as numbers, the others as their exact decimal string. */
function expected(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(expected);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expected(v)]));
  }
  return value;
}

describe('decodeJson with unsafeIntegers: "string"', () => {
  it("keeps discord.py's integer snowflakes exact", () => {
    const text =
      '{"op": 4, "d": {"guild_id": 1234567890123456789, "channel_id": 18446744073709551615, "self_mute": false}}';
    expect(decodeJson(text, LOSSLESS)).toEqual({
      op: 4,
      d: { guild_id: '1234567890123456789', channel_id: '18446744073709551615', self_mute: false },
    });
    // The default decode is JSON.parse's, rounding included (server → client data never has integer ids).
    expect((decodeJson(text) as { d: { guild_id: unknown } }).d.guild_id).toBe(1234567890123456800);
    expect(
      decodeJson('{"op":8,"d":{"guild_id":"1","user_ids":[9007199254740993,-9007199254740993,7]}}', LOSSLESS),
    ).toEqual({ op: 8, d: { guild_id: '1', user_ids: ['9007199254740993', '-9007199254740993', 7] } });
  });

  it('leaves safe integers, floats, exponents, strings and keys alone', () => {
    expect(decodeJson('[9007199254740991,-9007199254740991,9007199254740992]', LOSSLESS)).toEqual([
      9007199254740991,
      -9007199254740991,
      '9007199254740992',
    ]);
    expect(decodeJson('[1234567890123456789.5,1e12345678901234567,12345678901234567890e0]', LOSSLESS)).toEqual([
      Number('1234567890123456789.5'),
      Number.POSITIVE_INFINITY,
      Number('12345678901234567890'),
    ]);
    expect(decodeJson('{"12345678901234567890":"a 12345678901234567890 \\" 12345678901234567890"}', LOSSLESS)).toEqual({
      '12345678901234567890': 'a 12345678901234567890 " 12345678901234567890',
    });
    expect(decodeJson('12345678901234567890', LOSSLESS)).toBe('12345678901234567890');
  });

  it('refuses what JSON.parse refuses (a number as a key, leading zeros)', () => {
    for (const text of [
      '{12345678901234567890: 1}',
      '{"a": 1, 12345678901234567890: 1}',
      '[012345678901234567890]',
      '{"a": 12345678901234567890 12345678901234567890}',
      '[1,]12345678901234567890',
    ]) {
      expect(() => decodeJson(text, LOSSLESS), text).toThrow(CodecError);
    }
  });

  it('fuzz: arbitrary payloads with integer ids decode exactly', () => {
    const id = fc.oneof(fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }), fc.bigInt({ min: 0n, max: 1n << 63n }));
    const leaf = fc.oneof(
      id,
      fc.string({ maxLength: 30 }),
      fc.double({ noNaN: true, min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).filter((x) => !Object.is(x, -0)),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('tree'), { maxLength: 5 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie('tree'), { maxKeys: 5 }),
      ),
    }));
    fc.assert(
      fc.property(tree, (value) => {
        const text = pythonJson(value);
        expect(decodeJson(text, LOSSLESS)).toEqual(expected(value));
      }),
      { numRuns: 500 },
    );
  });

  it('fuzz: valid exactly when JSON.parse says so, and only CodecError', () => {
    const piece = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '\\',
      ' ',
      '-',
      '0',
      '1',
      'e',
      '.',
      '"k"',
      '12345678901234567890',
      '9007199254740993',
      'true',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }).map((p) => p.join('')),
        (text) => {
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            valid = false;
          }
          let ok = true;
          try {
            decodeJson(text, LOSSLESS);
          } catch (error) {
            expect(error).toBeInstanceOf(CodecError);
            ok = false;
          }
          expect(ok).toBe(valid);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
