import { randomFillSync } from 'node:crypto';

/** Session ids drawn per refill: one getrandom call per 256 Identifies. */
const IDS_PER_FILL = 256;
const pool = Buffer.allocUnsafeSlow(16 * IDS_PER_FILL);
let next = IDS_PER_FILL;

/**
 * A new session id: 32 lowercase hex digits (128 random bits), the form Discord's session ids take. Read as hex from a
 * pooled random buffer: `randomUUID().replaceAll('-', '')` built the same digits as ~20 cons strings and then a copy
 * without the dashes (~820 bytes of garbage per Identify in a sampling profile of the assembled bench's Identify burst,
 * BENCHMARKS.md "Eighth pass, garbage per Identify"); this allocates the one string. Each pooled byte is used once,
 * then the pool is refilled, and `randomBytes(16)` per call made a getrandom call per Identify (~10 µs).
 */
export function newSessionId(): string {
  if (next === IDS_PER_FILL) {
    randomFillSync(pool);
    next = 0;
  }
  const at = 16 * next++;
  return pool.toString('hex', at, at + 16);
}
