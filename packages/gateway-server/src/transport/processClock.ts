/**
 * Milliseconds since this module was loaded: what connections keep their timestamps as (transport/Connection.ts).
 * `Date.now()` is past 2^31, so a field holding it is a boxed double (a 16-byte HeapNumber per field per connection);
 * the offset from a process epoch stays a small integer, stored in the field itself, for ~24 days of uptime (after
 * that the values are doubles again: correct, only as big as before).
 */
const EPOCH = Date.now();

/** `ms` (a `Date.now()` reading) as an offset from the process epoch. */
export function sinceEpoch(ms: number): number {
  const offset = ms - EPOCH;
  // `| 0` answers a small integer where the subtraction may answer a boxed double (unoptimized code does, and one
  // double stored into a field makes the field a boxed double in every object of that shape). Past the int32 range
  // it would wrap, so such an offset is answered as it is.
  const small = offset | 0;
  return small === offset ? small : offset;
}

/** An offset from {@link sinceEpoch} back as `Date.now()` time. */
export function fromEpoch(offset: number): number {
  return offset + EPOCH;
}
