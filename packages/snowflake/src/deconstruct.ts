import { DISCORD_EPOCH, MAX_PROCESS_ID, MAX_WORKER_ID, PROCESS_ID_SHIFT, WORKER_ID_SHIFT } from './constants.js';
import { bigIntOfFields, fields, lowBitsOf, readSnowflake, timestampOfBigInt } from './readSnowflake.js';
import { type EpochLike, resolveEpoch } from './resolveEpoch.js';

export interface DeconstructedSnowflake {
  id: bigint;
  /** Unix milliseconds. */
  timestamp: number;
  workerId: number;
  processId: number;
  /** The 12-bit sequence number within the millisecond. */
  increment: number;
  /** The epoch `timestamp` was computed with, Unix ms. */
  epoch: number;
}

/** Splits an id into its fields. Throws InvalidSnowflakeError for input that is not an id. */
export function deconstruct(id: bigint | string, epoch: EpochLike = DISCORD_EPOCH): DeconstructedSnowflake {
  const ms = epoch === DISCORD_EPOCH ? DISCORD_EPOCH : resolveEpoch(epoch);
  if (typeof id === 'bigint') return build(id, timestampOfBigInt(id) + ms, lowBitsOf(id), ms);
  readSnowflake(id);
  return build(bigIntOfFields(), fields.timestamp + ms, fields.low, ms);
}

function build(id: bigint, timestamp: number, low: number, epoch: number): DeconstructedSnowflake {
  return {
    id,
    timestamp,
    workerId: (low >>> WORKER_ID_SHIFT) & MAX_WORKER_ID,
    processId: (low >>> PROCESS_ID_SHIFT) & MAX_PROCESS_ID,
    increment: low & 0xfff,
    epoch,
  };
}
