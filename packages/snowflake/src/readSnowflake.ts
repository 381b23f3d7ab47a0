import { MAX_SNOWFLAKE } from './constants.js';
import { InvalidSnowflakeError } from './SnowflakeError.js';

/**
 * Output of {@link readSnowflake}: the 42-bit timestamp field and the 22 bits below it, as numbers. One shared scratch
 * object, so decoding allocates nothing; read it right after the call.
 * @internal
 */
export const fields = { timestamp: 0, low: 0 };

const TWO_POW_22 = 4_194_304;
const LOW_MASK = 0x3f_ffffn;
const MAX_STRING = MAX_SNOWFLAKE.toString();

/**
 * Validates an id (decimal string, bigint or safe integer) and splits it into {@link fields} without building a
 * bigint. Throws InvalidSnowflakeError for anything that is not exactly one id.
 * @internal
 */
export function readSnowflake(input: unknown): void {
  if (typeof input === 'string') readString(input);
  else if (typeof input === 'bigint') readBigInt(input);
  else readNumber(input);
}

/** Canonical decimal only: 1-20 digits, no sign, no whitespace, no leading zero, at most 2^64 - 1. */
export function readString(input: string): void {
  const length = input.length;
  if (length === 0) throw new InvalidSnowflakeError(input, 'empty string');
  if (length > 20) throw new InvalidSnowflakeError(input, 'more than 20 digits');
  // The number splits at 10^7: `high` (up to 13 digits, < 1.9e12) and `low7` are exact doubles, and so is every step below.
  const split = length - 7;
  let high = 0;
  let low7 = 0;
  for (let i = 0; i < length; i++) {
    const digit = input.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) throw new InvalidSnowflakeError(input, 'not a decimal integer');
    if (i < split) high = high * 10 + digit;
    else low7 = low7 * 10 + digit;
  }
  if (length > 1 && input.charCodeAt(0) === 48) throw new InvalidSnowflakeError(input, 'leading zero');
  // Same length, digits only: string order is numeric order.
  if (length === 20 && input > MAX_STRING) throw new InvalidSnowflakeError(input, 'greater than 2^64 - 1');
  // id = high * 10^7 + low7, high = q * 2^22 + r  =>  id >> 22 = q * 10^7 + ((r * 10^7 + low7) >> 22).
  const q = Math.floor(high / TWO_POW_22);
  const rest = (high - q * TWO_POW_22) * 10_000_000 + low7;
  const restHigh = Math.floor(rest / TWO_POW_22);
  fields.timestamp = q * 10_000_000 + restHigh;
  fields.low = rest - restHigh * TWO_POW_22;
}

export function readBigInt(input: bigint): void {
  if (input < 0n) throw new InvalidSnowflakeError(input, 'negative');
  if (input > MAX_SNOWFLAKE) throw new InvalidSnowflakeError(input, 'greater than 2^64 - 1');
  fields.timestamp = Number(input >> 22n);
  fields.low = Number(input & LOW_MASK);
}

/** Numbers only when exact: a snowflake above 2^53 has already lost its low bits by the time it is a number. */
function readNumber(input: unknown): void {
  if (typeof input !== 'number') {
    throw new InvalidSnowflakeError(input, 'expected a decimal string, a bigint or a safe integer');
  }
  if (!Number.isSafeInteger(input)) throw new InvalidSnowflakeError(input, 'not a safe integer');
  if (input < 0) throw new InvalidSnowflakeError(input, 'negative');
  const timestamp = Math.floor(input / TWO_POW_22);
  fields.timestamp = timestamp;
  fields.low = input - timestamp * TWO_POW_22;
}
