/** Stable codes for everything the package can reject; `code` is what callers switch on. */
export type SnowflakeErrorCode = 'INVALID_SNOWFLAKE' | 'OUT_OF_RANGE' | 'CLOCK_REGRESSION' | 'CLOCK_STALLED';

/** Base class of the package's errors. */
export class SnowflakeError extends Error {
  override readonly name: string = 'SnowflakeError';
  readonly code: SnowflakeErrorCode;
  constructor(code: SnowflakeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Input that is not a snowflake (wrong type, not canonical decimal, negative, above 2^64 - 1). */
export class InvalidSnowflakeError extends SnowflakeError {
  override readonly name: string = 'InvalidSnowflakeError';
  /** Why the input was rejected, e.g. `'leading zero'`. */
  readonly reason: string;
  constructor(input: unknown, reason: string) {
    super('INVALID_SNOWFLAKE', `Invalid snowflake ${preview(input)}: ${reason}`);
    this.reason = reason;
  }
}

/** An argument or a clock reading outside what the 64-bit layout can represent. */
export class SnowflakeRangeError extends SnowflakeError {
  override readonly name: string = 'SnowflakeRangeError';
  constructor(message: string) {
    super('OUT_OF_RANGE', message);
  }
}

/**
 * The clock went back further than the generator's `maxClockRegressionMs`. Nothing was issued and the generator is
 * unchanged: once the clock is back within the bound, `next()` works again and still never goes below its last id.
 */
export class ClockRegressionError extends SnowflakeError {
  override readonly name: string = 'ClockRegressionError';
  /** Unix ms of the last id issued. */
  readonly lastTimestamp: number;
  /** Unix ms the clock returned. */
  readonly now: number;
  /** How far behind the last id the clock is (`lastTimestamp - now`). */
  readonly regressionMs: number;
  constructor(lastTimestamp: number, now: number, maxClockRegressionMs: number) {
    super(
      'CLOCK_REGRESSION',
      `Clock moved back ${lastTimestamp - now} ms (last id at ${lastTimestamp}, clock at ${now}); ` +
        `the generator tolerates ${maxClockRegressionMs} ms`,
    );
    this.lastTimestamp = lastTimestamp;
    this.now = now;
    this.regressionMs = lastTimestamp - now;
  }
}

/** The sequence of a millisecond ran out and the clock did not advance while the generator waited for the next one. */
export class ClockStalledError extends SnowflakeError {
  override readonly name: string = 'ClockStalledError';
  constructor(lastTimestamp: number, reads: number) {
    super(
      'CLOCK_STALLED',
      `Sequence exhausted at ${lastTimestamp} and the clock did not advance in ${reads} reads; is \`now\` frozen?`,
    );
  }
}

/** A short, safe rendering of untrusted input for messages: never the whole of a huge string. */
function preview(input: unknown): string {
  switch (typeof input) {
    case 'string':
      return input.length > 32
        ? `${JSON.stringify(input.slice(0, 32))}… (${input.length} chars)`
        : JSON.stringify(input);
    case 'bigint':
      return `${input}n`;
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(input);
    default:
      return input === null ? 'null' : `(${typeof input})`;
  }
}
