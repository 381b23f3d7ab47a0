/** Discord's epoch, 2015-01-01T00:00:00.000Z, in Unix milliseconds: the default everywhere in this package. */
export const DISCORD_EPOCH = 1420070400000;

/** Bits below the timestamp: 5 worker + 5 process + 12 sequence. */
export const TIMESTAMP_SHIFT = 22;
export const WORKER_ID_SHIFT = 17;
export const PROCESS_ID_SHIFT = 12;

/** Largest value of the 42-bit timestamp field (milliseconds since the epoch): about 139 years. */
export const MAX_TIMESTAMP = 2 ** 42 - 1;
export const MAX_WORKER_ID = 0b11111;
export const MAX_PROCESS_ID = 0b11111;
export const MAX_INCREMENT = 0b1111_1111_1111;

/** Ids per millisecond per (worker, process): the layout's throughput ceiling is 4096 ids/ms = 4.096 M ids/s. */
export const IDS_PER_MILLISECOND = MAX_INCREMENT + 1;

/** Largest id: 2^64 - 1. */
export const MAX_SNOWFLAKE = 0xffff_ffff_ffff_ffffn;

/** Default for `maxClockRegressionMs`; see the README's clock policy. */
export const DEFAULT_MAX_CLOCK_REGRESSION_MS = 1000;
