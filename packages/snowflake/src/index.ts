export { bucketOf } from './bucketOf.js';
export { compare } from './compare.js';
export {
  DEFAULT_MAX_CLOCK_REGRESSION_MS,
  DISCORD_EPOCH,
  IDS_PER_MILLISECOND,
  MAX_INCREMENT,
  MAX_PROCESS_ID,
  MAX_SNOWFLAKE,
  MAX_TIMESTAMP,
  MAX_WORKER_ID,
} from './constants.js';
export { type DeconstructedSnowflake, deconstruct } from './deconstruct.js';
export { idFromTimestamp } from './idFromTimestamp.js';
export { mergeBySnowflake } from './mergeBySnowflake.js';
export { isSnowflake, parseSnowflake, snowflakeToString, toBigInt } from './parseSnowflake.js';
export type { EpochLike } from './resolveEpoch.js';
export {
  ClockRegressionError,
  ClockStalledError,
  InvalidSnowflakeError,
  SnowflakeError,
  type SnowflakeErrorCode,
  SnowflakeRangeError,
} from './SnowflakeError.js';
export { SnowflakeGenerator, type SnowflakeGeneratorOptions } from './SnowflakeGenerator.js';
export { shardOf } from './shardOf.js';
export { sortBySnowflake } from './sortBySnowflake.js';
export { timestampOf } from './timestampOf.js';
