import { MAX_SNOWFLAKE } from './constants.js';
import { InvalidSnowflakeError } from './SnowflakeError.js';

/**
 * Output of {@link readSnowflake}: the 42-bit timestamp field and, for string and number input only, the 22 bits below
 * it (use {@link lowBitsOf} for a bigint). One shared scratch object, so decoding allocates nothing; read it right after
 * the call.
 * @internal
 */
export const fields = { timestamp: 0, low: 0 };

const TWO_POW_22 = 4_194_304;
const TWO_POW_53 = 2 ** 53;
const TWO_POW_64 = 2 ** 64;
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

/** Sets only `fields.timestamp` (see {@link timestampOfBigInt}). */
export function readBigInt(input: bigint): void {
  fields.timestamp = timestampOfBigInt(input);
}

/** Validates a bigint id and returns its timestamp field. */
export function timestampOfBigInt(input: bigint): number {
  // One conversion to a double is about twice as fast as a bigint shift (which allocates) followed by one.
  const x = Number(input);
  // Rounding to the nearest double is monotonic, so x < 2^64 proves input < 2^64; 2^64 itself needs the exact check.
  if (!(x >= 0 && x < TWO_POW_64)) {
    if (input < 0n) throw new InvalidSnowflakeError(input, 'negative');
    if (input > MAX_SNOWFLAKE) throw new InvalidSnowflakeError(input, 'greater than 2^64 - 1');
  }
  const timestamp = Math.floor(x / TWO_POW_22);
  // Above 2^53 the rounding can carry an id just below a millisecond boundary (k * 2^22, which is exact as a double)
  // up onto it; only then is the answer one less.
  if (x > TWO_POW_53 && x === timestamp * TWO_POW_22 && BigInt(x) > input) return timestamp - 1;
  return timestamp;
}

/** The 22 bits below the timestamp of a validated bigint id. */
export function lowBitsOf(input: bigint): number {
  // asUintN leaves a small bigint, whose conversion is cheap; no mask constant to combine with.
  return Number(BigInt.asUintN(22, input));
}

/** The bigint of the id last read from a string or number: cheaper than parsing the digits again with BigInt(). */
export function bigIntOfFields(): bigint {
  const low = fields.low;
  // timestamp * 1024 + (low >> 12) < 2^52: exact as a double.
  return BigInt(fields.timestamp * 1024 + (low >>> 12)) * 4096n + BigInt(low & 0xfff);
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
