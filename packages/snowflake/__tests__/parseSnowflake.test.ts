import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidSnowflakeError,
  isSnowflake,
  MAX_SNOWFLAKE,
  parseSnowflake,
  type SnowflakeError,
  snowflakeToString,
  toBigInt,
} from '../src/index.js';
import { idArb } from './helpers.js';

/** The rule, stated the slow way: canonical decimal digits whose value fits in 64 bits. */
function isValidString(s: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(s) && s.length <= 20 && BigInt(s) <= MAX_SNOWFLAKE;
}

function expectInvalid(input: unknown): InvalidSnowflakeError {
  try {
    parseSnowflake(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSnowflakeError);
    expect((error as SnowflakeError).code).toBe('INVALID_SNOWFLAKE');
    return error as InvalidSnowflakeError;
  }
  throw new Error(`accepted ${String(input)}`);
}

describe('parseSnowflake', () => {
  it('accepts canonical decimal strings, in-range bigints and safe integers', () => {
    expect(parseSnowflake('0')).toBe(0n);
    expect(parseSnowflake('175928847299117063')).toBe(175928847299117063n);
    expect(parseSnowflake('18446744073709551615')).toBe(MAX_SNOWFLAKE);
    expect(parseSnowflake(MAX_SNOWFLAKE)).toBe(MAX_SNOWFLAKE);
    expect(parseSnowflake(0n)).toBe(0n);
    expect(parseSnowflake(Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(toBigInt('42')).toBe(42n);
  });

  it.each([
    ['', 'empty string'],
    [' 1', 'not a decimal integer'],
    ['1 ', 'not a decimal integer'],
    ['\n1', 'not a decimal integer'],
    ['+1', 'not a decimal integer'],
    ['-1', 'not a decimal integer'],
    ['1e3', 'not a decimal integer'],
    ['0x10', 'not a decimal integer'],
    ['1.0', 'not a decimal integer'],
    ['1_000', 'not a decimal integer'],
    ['١٢٣', 'not a decimal integer'],
    ['１２３', 'not a decimal integer'],
    ['01', 'leading zero'],
    ['00', 'leading zero'],
    ['18446744073709551616', 'greater than 2^64 - 1'],
    ['99999999999999999999', 'greater than 2^64 - 1'],
    ['100000000000000000000', 'more than 20 digits'],
  ])('rejects the string %j (%s)', (input, reason) => {
    expect(expectInvalid(input).reason).toBe(reason);
  });

  it.each([
    [-1n, 'negative'],
    [MAX_SNOWFLAKE + 1n, 'greater than 2^64 - 1'],
    [-1, 'negative'],
    [1.5, 'not a safe integer'],
    [Number.NaN, 'not a safe integer'],
    [Number.POSITIVE_INFINITY, 'not a safe integer'],
    [2 ** 53, 'not a safe integer'],
    [null, 'expected a decimal string, a bigint or a safe integer'],
    [undefined, 'expected a decimal string, a bigint or a safe integer'],
    [{}, 'expected a decimal string, a bigint or a safe integer'],
    [['1'], 'expected a decimal string, a bigint or a safe integer'],
    [true, 'expected a decimal string, a bigint or a safe integer'],
  ])('rejects %s (%s)', (input, reason) => {
    expect(expectInvalid(input).reason).toBe(reason);
  });

  it('keeps error messages short for huge input', () => {
    const error = expectInvalid('9'.repeat(1_000_000));
    expect(error.message.length).toBeLessThan(120);
  });

  it('agrees with the reference rule on random strings', () => {
    const strings = fc.oneof(
      fc.string({ maxLength: 24 }),
      fc.stringMatching(/^[+\-\s0]?[0-9]{0,22}\s?$/),
      idArb.map((id) => id.toString()),
      idArb.map((id) => (id + MAX_SNOWFLAKE).toString()),
    );
    fc.assert(
      fc.property(strings, (s) => {
        if (isValidString(s)) {
          expect(parseSnowflake(s)).toBe(BigInt(s));
          expect(isSnowflake(s)).toBe(true);
          expect(snowflakeToString(s)).toBe(s);
        } else {
          expectInvalid(s);
          expect(isSnowflake(s)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every id through string and bigint', () => {
    fc.assert(
      fc.property(idArb, (id) => {
        const s = snowflakeToString(id);
        expect(s).toBe(id.toString());
        expect(parseSnowflake(s)).toBe(id);
        expect(parseSnowflake(id)).toBe(id);
        expect(isSnowflake(id)).toBe(true);
      }),
    );
  });

  it('never throws anything but InvalidSnowflakeError, and never for a valid id', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true }), (input) => {
        try {
          const id = parseSnowflake(input);
          expect(id >= 0n && id <= MAX_SNOWFLAKE).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidSnowflakeError);
        }
        expect(typeof isSnowflake(input)).toBe('boolean');
      }),
    );
  });

  it('does not narrow numbers with isSnowflake', () => {
    expect(isSnowflake(42)).toBe(false);
    expect(parseSnowflake(42)).toBe(42n);
  });
});
