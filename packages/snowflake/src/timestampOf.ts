import { DISCORD_EPOCH } from './constants.js';
import { fields, readSnowflake, timestampOfBigInt } from './readSnowflake.js';
import { type EpochLike, resolveEpoch } from './resolveEpoch.js';

/**
 * Unix ms at which an id was generated. Exact for every id (computed from the digits or the bigint, never through a
 * rounded `Number(id)`). Throws InvalidSnowflakeError for input that is not an id.
 */
export function timestampOf(id: bigint | string, epoch: EpochLike = DISCORD_EPOCH): number {
  const ms = epoch === DISCORD_EPOCH ? DISCORD_EPOCH : resolveEpoch(epoch);
  if (typeof id === 'bigint') return timestampOfBigInt(id) + ms;
  readSnowflake(id);
  return fields.timestamp + ms;
}
