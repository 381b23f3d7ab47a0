const SNOWFLAKE = /^\d{1,20}$/;

/**
 * A snowflake read from a client payload, as the decimal string the server works with; `null` when it is not one.
 * Discord accepts ids as strings or integers: discord.py sends JSON numbers, ETF and MessagePack clients integers.
 * Integers beyond 2^53 reach here as exact strings (the client JSON decode quotes them, see quoteUnsafeIntegers.ts in
 * @concord/protocol; ETF and MessagePack decode 64-bit integers to strings), so a number here is a safe integer or
 * garbage: floats, negatives, booleans and other types give `null` (close 4002 where the payload needs an id).
 */
export function readSnowflake(value: unknown): string | null {
  if (typeof value === 'string') return SNOWFLAKE.test(value) ? value : null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}
