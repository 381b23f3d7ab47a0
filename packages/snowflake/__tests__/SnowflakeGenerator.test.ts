import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClockRegressionError,
  DISCORD_EPOCH,
  deconstruct,
  MAX_TIMESTAMP,
  parseSnowflake,
  SnowflakeGenerator,
  timestampOf,
} from '../src/index.js';

/**
 * A fake clock: advances one millisecond every `callsPerMs` reads (so the generator meets every id rate, from one id per
 * millisecond to far above 4096), minus a jitter cycled from `jitter` to make it go backwards now and then.
 */
function fakeClock(start: number, callsPerMs: number, jitter: number[]) {
  let reads = 0;
  let last = start;
  return {
    now: () => {
      const j = jitter[reads % jitter.length]!;
      last = start + Math.floor(reads++ / callsPerMs) - j;
      return last;
    },
    get last() {
      return last;
    },
  };
}

describe('SnowflakeGenerator', () => {
  it('issues 10M unique, strictly increasing ids under any clock behaviour (property, 10 runs x 1M ids)', () => {
    const COUNT = 1_000_000;
    fc.assert(
      fc.property(
        fc.record({
          workerId: fc.integer({ min: 0, max: 31 }),
          processId: fc.integer({ min: 0, max: 31 }),
          epoch: fc.integer({ min: 0, max: DISCORD_EPOCH }),
          offset: fc.oneof(fc.integer({ min: 10, max: 2 ** 41 }), fc.constant(MAX_TIMESTAMP - 2_000_000)),
          maxClockRegressionMs: fc.constantFrom(0, 1, 3, 1000),
          callsPerMs: fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom(4095, 4096, 4097)),
          // Mostly steady, sometimes a step back of up to 3 ms (beyond the smaller tolerances: those calls must throw).
          jitter: fc.array(
            fc.oneof(
              { arbitrary: fc.constant(0), weight: 300 },
              { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 },
            ),
            { minLength: 1, maxLength: 1000 },
          ),
        }),
        (p) => {
          const clock = fakeClock(p.epoch + p.offset, p.callsPerMs, p.jitter);
          const gen = new SnowflakeGenerator({ ...p, now: clock.now });
          let prev = -1n;
          let issued = 0;
          // Plain comparisons in the loop: expect() per id would dominate the run.
          for (let i = 0; i < COUNT; i++) {
            let id: bigint;
            try {
              id = gen.next();
            } catch (error) {
              // Only a step back beyond the tolerance may refuse; the next call goes on from the same state.
              if (!(error instanceof ClockRegressionError && error.regressionMs > p.maxClockRegressionMs)) throw error;
              continue;
            }
            if (id <= prev) expect.fail(`id ${id} after ${prev}`);
            prev = id;
            issued++;
            if (i % 4099 === 0) {
              const d = deconstruct(id, p.epoch);
              if (d.workerId !== p.workerId || d.processId !== p.processId) expect.fail(`fields of ${id}`);
              // Ids never run further ahead of the clock than the bound.
              if (d.timestamp - clock.last > p.maxClockRegressionMs) expect.fail(`${id} ahead of ${clock.last}`);
            }
          }
          expect(issued).toBeGreaterThan(0);
        },
      ),
      // No shrinking: each run is a million ids, and the counterexample's parameters are enough to replay it.
      { numRuns: 10, endOnFailure: true },
    );
  }, 60_000);

  it('nextString() continues the same sequence as next(), as canonical decimals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 0, max: 31 }),
        // Small offsets reach the ids below 10^4 (no prefix) and the carry into the prefix.
        fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: MAX_TIMESTAMP - 30_000 })),
        fc.integer({ min: 1, max: 9000 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }),
        (workerId, processId, offset, callsPerMs, pattern) => {
          const clock = fakeClock(DISCORD_EPOCH + offset, callsPerMs, [0]);
          const gen = new SnowflakeGenerator({ workerId, processId, now: clock.now, maxClockRegressionMs: 50 });
          let prev = -1n;
          for (let i = 0; i < 20_000; i++) {
            let id: bigint;
            if (pattern[i % pattern.length]) {
              const s = gen.nextString();
              id = parseSnowflake(s);
              if (id.toString() !== s) expect.fail(`${s} is not canonical`);
            } else {
              id = gen.next();
            }
            if (id <= prev) expect.fail(`id ${id} after ${prev}`);
            prev = id;
          }
          const d = deconstruct(prev);
          expect([d.workerId, d.processId]).toEqual([workerId, processId]);
        },
      ),
      { numRuns: 60, endOnFailure: true },
    );
  }, 60_000);

  it('works on the real clock', () => {
    const gen = new SnowflakeGenerator({ workerId: 1, processId: 2 });
    const before = Date.now();
    let prev = gen.next();
    for (let i = 0; i < 100_000; i++) {
      const id = i % 2 ? gen.next() : parseSnowflake(gen.nextString());
      if (id <= prev) expect.fail(`id ${id} after ${prev}`);
      prev = id;
    }
    const d = deconstruct(prev);
    expect(d.workerId).toBe(1);
    expect(d.processId).toBe(2);
    expect(d.timestamp).toBeGreaterThanOrEqual(before);
    expect(d.timestamp).toBeLessThanOrEqual(Date.now() + gen.maxClockRegressionMs);
    expect(gen.lastTimestamp).toBe(d.timestamp);
  });

  it('puts the boundaries in the right bits', () => {
    // Clock at the epoch: the very first id of the layout is 0.
    const first = new SnowflakeGenerator({ epoch: 1000, now: () => 1000 });
    expect(first.lastTimestamp).toBeNaN();
    expect(first.nextString()).toBe('0');
    expect(first.next()).toBe(1n);
    // Max worker, process, sequence and timestamp: the very last id is 2^64 - 1.
    const last = new SnowflakeGenerator({ epoch: 0, workerId: 31, processId: 31, now: () => MAX_TIMESTAMP });
    let id = 0n;
    for (let i = 0; i < 4096; i++) id = i % 2 ? last.next() : parseSnowflake(last.nextString());
    expect(id).toBe(2n ** 64n - 1n);
    expect(deconstruct(id, 0)).toMatchObject({
      timestamp: MAX_TIMESTAMP,
      workerId: 31,
      processId: 31,
      increment: 4095,
    });
    expect(timestampOf(id, 0)).toBe(MAX_TIMESTAMP);
  });

  it('accepts the epoch as a Date or a bigint', () => {
    const t = DISCORD_EPOCH + 12345;
    expect(deconstruct(new SnowflakeGenerator({ epoch: new Date(0), now: () => t }).next(), 0).timestamp).toBe(t);
    const gen = new SnowflakeGenerator({ epoch: 1000n, now: () => t });
    expect(gen.epoch).toBe(1000);
    expect(timestampOf(gen.next(), 1000)).toBe(t);
  });
});
