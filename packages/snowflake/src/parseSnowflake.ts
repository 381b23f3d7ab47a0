import { bigIntOfFields, readBigInt, readSnowflake, readString } from './readSnowflake.js';
import { SnowflakeError } from './SnowflakeError.js';

/**
 * Turns untrusted input into an id, or throws InvalidSnowflakeError (code `'INVALID_SNOWFLAKE'`). Accepts canonical
 * decimal strings (`/^(0|[1-9][0-9]{0,19})$/` up to 2^64 - 1), bigints in [0, 2^64 - 1] and non-negative safe integers.
 */
export function parseSnowflake(input: unknown): bigint {
  if (typeof input === 'string') {
    readString(input);
    return bigIntOfFields();
  }
  if (typeof input === 'bigint') {
    readBigInt(input);
    return input;
  }
  readSnowflake(input);
  return bigIntOfFields();
}

/**
 * Whether `input` is a valid id as a string or a bigint. Numbers are never narrowed (most real ids exceed 2^53, so a
 * number id is usually already wrong); `parseSnowflake` still accepts safe integers.
 */
export function isSnowflake(input: unknown): input is string | bigint {
  if (typeof input !== 'string' && typeof input !== 'bigint') return false;
  try {
    readSnowflake(input);
    return true;
  } catch (error) {
    if (error instanceof SnowflakeError) return false;
    throw error;
  }
}

/** Alias of {@link parseSnowflake} for call sites that read better as a conversion. */
export const toBigInt: (input: unknown) => bigint = parseSnowflake;

/** The canonical decimal string of an id (validated like {@link parseSnowflake}). */
export function snowflakeToString(input: unknown): string {
  if (typeof input === 'string') {
    readString(input);
    return input;
  }
  return parseSnowflake(input).toString();
}
