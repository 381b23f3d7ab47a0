import { fields, readSnowflake } from './readSnowflake.js';
import { SnowflakeRangeError } from './SnowflakeError.js';

/** Discord's shard formula, `(id >> 22) % shardCount` (e.g. which gateway shard serves a guild). */
export function shardOf(id: bigint | string, shardCount: number): number {
  if (!(Number.isSafeInteger(shardCount) && shardCount > 0)) {
    throw new SnowflakeRangeError(`shardCount must be a positive integer, got ${String(shardCount)}`);
  }
  readSnowflake(id);
  return fields.timestamp % shardCount;
}
