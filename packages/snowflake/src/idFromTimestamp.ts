import { DISCORD_EPOCH, MAX_TIMESTAMP, TIMESTAMP_SHIFT } from './constants.js';
import { type EpochLike, resolveEpoch } from './resolveEpoch.js';
import { SnowflakeRangeError } from './SnowflakeError.js';

const SHIFT = BigInt(TIMESTAMP_SHIFT);

/**
 * The lowest id of a millisecond (worker, process and sequence all 0), for pagination bounds: every id generated at
 * `ms` or later is `>=` it, every id generated before is `<` it. Fractional ms round down. Throws SnowflakeRangeError when
 * `ms` is before the epoch or after the 42-bit timestamp's end.
 */
export function idFromTimestamp(ms: number | Date, epoch: EpochLike = DISCORD_EPOCH): bigint {
  const time = typeof ms === 'number' ? ms : ms instanceof Date ? ms.getTime() : Number.NaN;
  const offset = Math.floor(time) - resolveEpoch(epoch);
  if (!(offset >= 0 && offset <= MAX_TIMESTAMP)) {
    throw new SnowflakeRangeError(`timestamp ${String(ms)} is outside the ids' range for epoch ${String(epoch)}`);
  }
  return BigInt(offset) << SHIFT;
}
