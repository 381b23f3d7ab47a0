import { DISCORD_EPOCH } from './constants.js';
import { fields, readSnowflake } from './readSnowflake.js';
import { type EpochLike, resolveEpoch } from './resolveEpoch.js';
import { SnowflakeRangeError } from './SnowflakeError.js';

/**
 * The time bucket of an id: `floor((timestampOf(id, epoch) - epoch) / bucketMs)`, bucket 0 starting at the ids' epoch
 * (e.g. `(channel_id, bucket)` partitions of a message store). That is the id's own timestamp field divided by
 * `bucketMs`, so it does not depend on the epoch: `epoch` is only validated, for call sites symmetric with timestampOf.
 */
export function bucketOf(id: bigint | string, bucketMs: number, epoch: EpochLike = DISCORD_EPOCH): number {
  if (!(Number.isSafeInteger(bucketMs) && bucketMs > 0)) {
    throw new SnowflakeRangeError(`bucketMs must be a positive integer, got ${String(bucketMs)}`);
  }
  readSnowflake(id);
  resolveEpoch(epoch);
  return Math.floor(fields.timestamp / bucketMs);
}
