import { parseSnowflake } from './parseSnowflake.js';
import { readBigInt, readString } from './readSnowflake.js';

/**
 * Orders two ids (`-1` if `a` is older). Both are validated, so a malformed string throws InvalidSnowflakeError
 * instead of sorting somewhere arbitrary. Usable as a sort comparator; negate it for newest first.
 */
export function compare(a: bigint | string, b: bigint | string): -1 | 0 | 1 {
  if (typeof a === 'string' && typeof b === 'string') {
    readString(a);
    readString(b);
    // Canonical decimals (no leading zeros): the longer is larger, equal lengths order as strings.
    if (a.length !== b.length) return a.length < b.length ? -1 : 1;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  let x: bigint;
  let y: bigint;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    readBigInt(a);
    readBigInt(b);
    x = a;
    y = b;
  } else {
    x = parseSnowflake(a);
    y = parseSnowflake(b);
  }
  return x === y ? 0 : x < y ? -1 : 1;
}
