import { SnowflakeRangeError } from './SnowflakeError.js';

/** An epoch as Unix milliseconds, a bigint of them, or a Date. */
export type EpochLike = number | bigint | Date;

/** Normalises an epoch to integer Unix ms; throws SnowflakeRangeError for anything else. */
export function resolveEpoch(epoch: EpochLike): number {
  // Number first: it is what every hot call passes.
  const ms = typeof epoch === 'number' ? epoch : typeof epoch === 'bigint' ? Number(epoch) : toTime(epoch);
  if (!Number.isSafeInteger(ms) || (typeof epoch === 'bigint' && BigInt(ms) !== epoch)) {
    throw new SnowflakeRangeError(`epoch must be an integer number of Unix milliseconds, got ${String(epoch)}`);
  }
  return ms;
}

function toTime(epoch: unknown): number {
  return epoch instanceof Date ? epoch.getTime() : Number.NaN;
}
