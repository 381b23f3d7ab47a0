import fc from 'fast-check';
import { MAX_INCREMENT, MAX_PROCESS_ID, MAX_SNOWFLAKE, MAX_TIMESTAMP, MAX_WORKER_ID } from '../src/index.js';

/** Reference layout, written with bigints only: what the number-based fast paths must agree with. */
export function compose(timestamp: number, workerId: number, processId: number, increment: number): bigint {
  return (BigInt(timestamp) << 22n) | (BigInt(workerId) << 17n) | (BigInt(processId) << 12n) | BigInt(increment);
}

export const fieldsArb = fc.record({
  timestamp: fc.oneof(
    fc.integer({ min: 0, max: MAX_TIMESTAMP }),
    fc.constantFrom(0, 1, MAX_TIMESTAMP - 1, MAX_TIMESTAMP),
  ),
  workerId: fc.integer({ min: 0, max: MAX_WORKER_ID }),
  processId: fc.integer({ min: 0, max: MAX_PROCESS_ID }),
  increment: fc.oneof(fc.integer({ min: 0, max: MAX_INCREMENT }), fc.constantFrom(0, MAX_INCREMENT)),
});

/** Any valid id, with the edges (0, 2^64 - 1, all low bits set) over-represented. */
export const idArb = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_SNOWFLAKE }),
  fieldsArb.map((f) => compose(f.timestamp, f.workerId, f.processId, f.increment)),
  fc.constantFrom(0n, 1n, MAX_SNOWFLAKE, MAX_SNOWFLAKE - 1n, (1n << 22n) - 1n, 1n << 22n, 2n ** 53n, 2n ** 53n + 1n),
);
