import {
  DEFAULT_MAX_CLOCK_REGRESSION_MS,
  DISCORD_EPOCH,
  MAX_INCREMENT,
  MAX_PROCESS_ID,
  MAX_TIMESTAMP,
  MAX_WORKER_ID,
} from './constants.js';
import { type EpochLike, resolveEpoch } from './resolveEpoch.js';
import { ClockRegressionError, ClockStalledError, SnowflakeRangeError } from './SnowflakeError.js';

export interface SnowflakeGeneratorOptions {
  /** Epoch of the timestamp field; default Discord's (2015-01-01). */
  epoch?: EpochLike;
  /** 0-31; every concurrent generator needs its own (workerId, processId) pair. Default 0. */
  workerId?: number;
  /** 0-31. Default 0. */
  processId?: number;
  /**
   * How far (ms) ids may run ahead of the clock: the clock regression the generator rides out without an error, and
   * how far a burst above 4096 ids/ms may borrow future milliseconds before `next()` waits for the clock. Default 1000;
   * 0 = ids always carry the clock's millisecond (bursts wait, any regression throws).
   */
  maxClockRegressionMs?: number;
  /** Clock in Unix ms (fractions are dropped). Default `Date.now`. */
  now?: () => number;
}

/** Reads of a frozen clock before giving up: ~0.3 s of Date.now(), far beyond the 1 ms any real wait needs. */
const MAX_WAIT_READS = 2 ** 22;

/**
 * Generates ids that strictly increase within the generator: a (workerId, processId) pair gets up to 4096 ids per
 * millisecond, and the sequence moves on to the next millisecond rather than wrap. See the README for the clock policy.
 */
export class SnowflakeGenerator {
  /** Unix ms of timestamp 0. */
  readonly epoch: number;
  readonly workerId: number;
  readonly processId: number;
  readonly maxClockRegressionMs: number;
  readonly #clock: () => number;
  /** `workerId << 5 | processId`: the 10 bits between timestamp and sequence. */
  readonly #node: number;
  /** The logical clock: ms since the epoch of the last id issued. Never decreases. */
  #ms = Number.NEGATIVE_INFINITY;
  #seq = 0;
  // Per-millisecond caches, so that most ids cost one small bigint addition or one string concatenation.
  #bigMs = -1;
  #big = 0n;
  #strMs = -1;
  #prefix = '';
  #prefixNext = '';
  #strLow = 0;

  constructor(options: SnowflakeGeneratorOptions = {}) {
    this.epoch = resolveEpoch(options.epoch ?? DISCORD_EPOCH);
    this.workerId = checkInt('workerId', options.workerId ?? 0, MAX_WORKER_ID);
    this.processId = checkInt('processId', options.processId ?? 0, MAX_PROCESS_ID);
    this.maxClockRegressionMs = checkInt(
      'maxClockRegressionMs',
      options.maxClockRegressionMs ?? DEFAULT_MAX_CLOCK_REGRESSION_MS,
      MAX_TIMESTAMP,
    );
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new SnowflakeRangeError('now must be a function returning Unix milliseconds');
    }
    this.#clock = options.now ?? Date.now;
    this.#node = (this.workerId << 5) | this.processId;
  }

  /** The next id. Throws ClockRegressionError, ClockStalledError or SnowflakeRangeError (see the README). */
  next(): bigint {
    this.#tick();
    if (this.#bigMs !== this.#ms) {
      this.#bigMs = this.#ms;
      // ms * 1024 + node < 2^52 is exact as a double: one conversion and one shift per millisecond.
      this.#big = BigInt(this.#ms * 1024 + this.#node) << 12n;
    }
    return this.#big + BigInt(this.#seq);
  }

  /** The next id as a decimal string, built from cached digits without bigint arithmetic. Same sequence as `next()`. */
  nextString(): string {
    this.#tick();
    if (this.#strMs !== this.#ms) this.#prepareString();
    const low = this.#strLow + this.#seq;
    if (low < 10_000) return this.#prefix === '' ? `${low}` : this.#prefix + pad4(low);
    return this.#prefixNext + pad4(low - 10_000);
  }

  /** Unix ms of the last id issued (the logical clock, which can be ahead of `now`), or NaN before the first. */
  get lastTimestamp(): number {
    return this.#ms === Number.NEGATIVE_INFINITY ? Number.NaN : this.#ms + this.epoch;
  }

  /** Advances (#ms, #seq) to the next free slot. Only plain number comparisons on the common paths. */
  #tick(): void {
    const now = Math.floor(this.#clock()) - this.epoch;
    if (now > this.#ms) {
      if (now > MAX_TIMESTAMP || now < 0) throw outOfRange(now + this.epoch, this.epoch);
      this.#ms = now;
      this.#seq = 0;
      return;
    }
    // Same millisecond, or a clock that went back no further than allowed: keep counting on the logical clock.
    if (this.#seq < MAX_INCREMENT && this.#ms - now <= this.maxClockRegressionMs) {
      this.#seq++;
      return;
    }
    this.#slowTick(now);
  }

  #slowTick(now: number): void {
    if (!Number.isFinite(now)) throw new SnowflakeRangeError(`the clock returned ${now + this.epoch}`);
    if (this.#ms - now > this.maxClockRegressionMs) {
      throw new ClockRegressionError(this.#ms + this.epoch, now + this.epoch, this.maxClockRegressionMs);
    }
    // The sequence of #ms is used up: move to the next millisecond, borrowing it from the future while that keeps ids
    // within maxClockRegressionMs of the clock, else waiting for the clock to get there.
    const next = this.#ms + 1;
    if (next > MAX_TIMESTAMP) throw outOfRange(next + this.epoch, this.epoch);
    let ms = next;
    if (next - now > this.maxClockRegressionMs) {
      const reached = this.#waitFor(next - this.maxClockRegressionMs);
      if (reached > ms) ms = reached;
      if (ms > MAX_TIMESTAMP) throw outOfRange(ms + this.epoch, this.epoch);
    }
    this.#ms = ms;
    this.#seq = 0;
  }

  /** Busy-waits (`next()` is synchronous) until the clock reaches `target`; in practice under 1 ms. */
  #waitFor(target: number): number {
    const floor = this.#ms - this.maxClockRegressionMs;
    for (let reads = 1; reads <= MAX_WAIT_READS; reads++) {
      const now = Math.floor(this.#clock()) - this.epoch;
      if (now >= target) return now;
      if (!(now >= floor)) {
        if (!Number.isFinite(now)) throw new SnowflakeRangeError(`the clock returned ${now + this.epoch}`);
        throw new ClockRegressionError(this.#ms + this.epoch, now + this.epoch, this.maxClockRegressionMs);
      }
    }
    throw new ClockStalledError(this.#ms + this.epoch, MAX_WAIT_READS);
  }

  /** Splits this millisecond's base id into a decimal prefix and a 4-digit tail, exactly, with doubles only. */
  #prepareString(): void {
    this.#strMs = this.#ms;
    // base = hi * 4096, hi = ms * 1024 + node < 2^52; with hi = a * 10^4 + b: base = (a * 4096 + c) * 10^4 + d where
    // b * 4096 = c * 10^4 + d. Every intermediate stays below 2^53.
    const hi = this.#ms * 1024 + this.#node;
    const a = Math.floor(hi / 10_000);
    const b4096 = (hi - a * 10_000) * 4096;
    const c = Math.floor(b4096 / 10_000);
    const prefix = a * 4096 + c;
    this.#strLow = b4096 - c * 10_000;
    this.#prefix = prefix === 0 ? '' : `${prefix}`;
    // A sequence of up to 4095 added to a tail below 10^4 carries at most once into the prefix.
    this.#prefixNext = `${prefix + 1}`;
  }
}

function pad4(n: number): string {
  return n >= 1000 ? `${n}` : n >= 100 ? `0${n}` : n >= 10 ? `00${n}` : `000${n}`;
}

function checkInt(name: string, value: number, max: number): number {
  if (!(Number.isSafeInteger(value) && value >= 0 && value <= max)) {
    throw new SnowflakeRangeError(`${name} must be an integer in [0, ${max}], got ${String(value)}`);
  }
  return value;
}

function outOfRange(time: number, epoch: number): SnowflakeRangeError {
  return new SnowflakeRangeError(
    `clock at ${time} is outside the 42-bit timestamp range [${epoch}, ${epoch + MAX_TIMESTAMP}] of epoch ${epoch}`,
  );
}
