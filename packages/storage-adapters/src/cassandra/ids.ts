const SIGN = 1n << 63n;
const TWO_64 = 1n << 64n;

// With `useBigIntAsLong` (the store's own client) bigint columns arrive as bigint; a caller's client may give Long.
const big = (value: unknown): bigint => (typeof value === 'bigint' ? value : BigInt(String(value)));

/**
 * Snowflakes are unsigned 64-bit; Cassandra's bigint is signed. The clustering column stores `id - 2^63` so that the
 * signed order Cassandra sorts by is the unsigned order of ids over the whole range. The driver accepts decimal strings
 * for bigint parameters whatever its `useBigIntAsLong` setting, so values go in as strings.
 */
export function toClusteringKey(id: bigint): string {
  return (id - SIGN).toString();
}

export function fromClusteringKey(value: unknown): bigint {
  return big(value) + SIGN;
}

/**
 * Partition-key and plain columns only need a bijection, not an order: two's complement leaves every id below 2^63
 * (all of today's ids) readable as-is in cqlsh, and costs nothing to convert on the common path.
 */
export function toSigned(id: string): string {
  const n = BigInt(id);
  return n < SIGN ? id : (n - TWO_64).toString();
}

export function fromSigned(value: unknown): string {
  if (typeof value === 'bigint') return (value < 0n ? value + TWO_64 : value).toString();
  const s = String(value);
  return s.startsWith('-') ? (BigInt(s) + TWO_64).toString() : s;
}
