import { describe, expect, it } from 'vitest';
import {
  ClockRegressionError,
  ClockStalledError,
  DISCORD_EPOCH,
  deconstruct,
  MAX_TIMESTAMP,
  SnowflakeError,
  SnowflakeGenerator,
  SnowflakeRangeError,
} from '../src/index.js';

const T = DISCORD_EPOCH + 1_000_000;

/** A clock the test moves by hand, counting how often the generator reads it. */
function manualClock(start: number) {
  const clock = {
    time: start,
    reads: 0,
    /** Called on each read, e.g. to advance time while the generator waits. */
    onRead: undefined as ((reads: number) => void) | undefined,
    now: () => {
      clock.reads++;
      clock.onRead?.(clock.reads);
      return clock.time;
    },
  };
  return clock;
}

function take(gen: SnowflakeGenerator, n: number): bigint[] {
  return Array.from({ length: n }, () => gen.next());
}

function expectIncreasing(ids: bigint[]): void {
  for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) expect.fail(`${ids[i]} after ${ids[i - 1]}`);
}

describe('sequence overflow', () => {
  it('moves to the next millisecond after 4096 ids, borrowing it while within the tolerance', () => {
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now, maxClockRegressionMs: 2 });
    const ids = take(gen, 3 * 4096);
    expectIncreasing(ids);
    expect(deconstruct(ids[0]!)).toMatchObject({ timestamp: T, increment: 0 });
    expect(deconstruct(ids[4095]!)).toMatchObject({ timestamp: T, increment: 4095 });
    expect(deconstruct(ids[4096]!)).toMatchObject({ timestamp: T + 1, increment: 0 });
    expect(deconstruct(ids[3 * 4096 - 1]!)).toMatchObject({ timestamp: T + 2, increment: 4095 });
    // Two milliseconds ahead is the limit: the next id waits for the clock.
    clock.onRead = (reads) => {
      if (reads > 3 * 4096 + 100) clock.time = T + 1;
    };
    const next = gen.next();
    expect(deconstruct(next)).toMatchObject({ timestamp: T + 3, increment: 0 });
    expect(clock.reads).toBe(3 * 4096 + 101);
    expect(next > ids.at(-1)!).toBe(true);
  });

  it('with maxClockRegressionMs 0, waits for the clock instead of borrowing', () => {
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now, maxClockRegressionMs: 0 });
    const ids = take(gen, 4096);
    clock.onRead = (reads) => {
      if (reads === 4096 + 50) clock.time = T + 1;
    };
    const next = gen.next();
    expect(clock.reads).toBe(4096 + 50);
    expect(deconstruct(next)).toMatchObject({ timestamp: T + 1, increment: 0 });
    expect(next > ids.at(-1)!).toBe(true);
  });

  it('takes the clock as it finds it when the clock jumps ahead during the wait', () => {
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now, maxClockRegressionMs: 0 });
    take(gen, 4096);
    clock.onRead = (reads) => {
      if (reads === 4096 + 3) clock.time = T + 10;
    };
    expect(deconstruct(gen.nextString())).toMatchObject({ timestamp: T + 10, increment: 0 });
  });

  it('throws ClockStalledError instead of hanging when a frozen clock would never let it move on', () => {
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now, maxClockRegressionMs: 0 });
    const last = take(gen, 4096).at(-1)!;
    const error = catchError(() => gen.next());
    expect(error).toBeInstanceOf(ClockStalledError);
    expect(error.code).toBe('CLOCK_STALLED');
    clock.time = T + 1;
    expect(gen.next() > last).toBe(true);
  });

  it('refuses to wrap past the last millisecond of the layout', () => {
    const gen = new SnowflakeGenerator({ epoch: 0, now: () => MAX_TIMESTAMP });
    take(gen, 4096);
    const error = catchError(() => gen.next());
    expect(error).toBeInstanceOf(SnowflakeRangeError);
    expect(error.code).toBe('OUT_OF_RANGE');
  });
});

describe('clock regression', () => {
  it('rides out a step back within the tolerance on its own clock, never going below the last id', () => {
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now, maxClockRegressionMs: 10 });
    const before = take(gen, 10);
    clock.time = T - 5;
    const during = take(gen, 5000);
    expectIncreasing([...before, ...during]);
    expect(deconstruct(during[0]!)).toMatchObject({ timestamp: T, increment: 10 });
    // The sequence ran out while the clock was behind: the next millisecond, 6 ms ahead of the clock, was borrowed.
    expect(deconstruct(during.at(-1)!).timestamp).toBe(T + 1);
    expect(clock.reads).toBe(10 + 5000);
    clock.time = T + 5;
    expect(deconstruct(gen.next())).toMatchObject({ timestamp: T + 5, increment: 0 });
  });

  it('throws ClockRegressionError beyond the tolerance, and goes on unchanged once the clock is back', () => {
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now, maxClockRegressionMs: 10 });
    const last = take(gen, 3).at(-1)!;
    clock.time = T - 11;
    const error = catchError(() => gen.next()) as ClockRegressionError;
    expect(error).toBeInstanceOf(ClockRegressionError);
    expect(error.code).toBe('CLOCK_REGRESSION');
    expect(error).toMatchObject({ lastTimestamp: T, now: T - 11, regressionMs: 11 });
    expect(() => gen.nextString()).toThrow(ClockRegressionError);
    clock.time = T - 10;
    const next = gen.next();
    expect(next).toBe(last + 1n);
  });

  it('with maxClockRegressionMs 0, throws on any step back', () => {
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now, maxClockRegressionMs: 0 });
    gen.next();
    clock.time = T - 1;
    expect(() => gen.next()).toThrow(ClockRegressionError);
  });

  it('throws ClockRegressionError when the clock goes back while it waits for the next millisecond', () => {
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now, maxClockRegressionMs: 0 });
    take(gen, 4096);
    clock.onRead = () => {
      clock.time = T - 5;
    };
    expect(() => gen.next()).toThrow(ClockRegressionError);
  });

  it('drops fractions of a millisecond before comparing', () => {
    const times = [T + 0.2, T + 0.9, T + 1.1, T + 0.5];
    const gen = new SnowflakeGenerator({ now: () => times.shift()! });
    const ids = take(gen, 4).map((id) => deconstruct(id));
    expect(ids.map((d) => [d.timestamp, d.increment])).toEqual([
      [T, 0],
      [T, 1],
      [T + 1, 0],
      [T + 1, 1],
    ]);
  });
});

describe('clock readings the layout cannot hold', () => {
  it.each([
    ['before the epoch', DISCORD_EPOCH - 1],
    ['after the last millisecond', DISCORD_EPOCH + MAX_TIMESTAMP + 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('throws SnowflakeRangeError for a clock %s, first call or later', (_name, bad) => {
    expect(() => new SnowflakeGenerator({ now: () => bad }).next()).toThrow(SnowflakeRangeError);
    const clock = manualClock(T);
    const gen = new SnowflakeGenerator({ now: clock.now });
    const last = gen.next();
    clock.time = bad;
    const error = catchError(() => gen.next());
    // A finite time far in the past reads as a regression, which is a refusal too; anything else is out of range.
    expect(error).toBeInstanceOf(Number.isFinite(bad) && bad < T ? ClockRegressionError : SnowflakeRangeError);
    clock.time = T;
    expect(gen.next()).toBe(last + 1n);
  });
});

describe('options', () => {
  it.each([
    { workerId: 32 },
    { workerId: -1 },
    { workerId: 1.5 },
    { processId: 32 },
    { processId: Number.NaN },
    { maxClockRegressionMs: -1 },
    { maxClockRegressionMs: 0.5 },
    { epoch: 1.5 },
    { epoch: 'x' as unknown as number },
    { now: 5 as unknown as () => number },
  ])('rejects %o with SnowflakeRangeError', (options) => {
    expect(() => new SnowflakeGenerator(options)).toThrow(SnowflakeRangeError);
  });

  it('exposes what it was built with', () => {
    const gen = new SnowflakeGenerator({ workerId: 31, processId: 31, epoch: 0, maxClockRegressionMs: 0 });
    expect(gen).toMatchObject({ workerId: 31, processId: 31, epoch: 0, maxClockRegressionMs: 0 });
    expect(new SnowflakeGenerator()).toMatchObject({ workerId: 0, processId: 0, epoch: DISCORD_EPOCH });
  });
});

function catchError(fn: () => unknown): SnowflakeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SnowflakeError);
    return error as SnowflakeError;
  }
  throw new Error('did not throw');
}
