import { expect } from 'vitest';

/** What one call cost: wall time and the growth of the JS heap plus Buffer/ArrayBuffer memory. */
export interface Cost {
  ms: number;
  bytes: number;
}

/** Runs `fn` once and measures it (a GC during the call can only make `bytes` smaller, never larger). */
export function measure(fn: () => void): Cost {
  const before = process.memoryUsage();
  const start = process.hrtime.bigint();
  fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const after = process.memoryUsage();
  return { ms, bytes: after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers) };
}

/**
 * The budget of a decoder for an input of `size` bytes: orders of magnitude, not machine speed — 50 ms and 10 MB per
 * 4 KiB of input (never less than that). A decoder that allocates what a header declares, or loops on a lying length,
 * blows through it by orders of magnitude; one that is merely slow on a busy machine does not.
 */
export function budgetFor(size: number): Cost {
  const units = Math.max(1, size / 4096);
  return { ms: 50 * units, bytes: 10 * 2 ** 20 * units };
}

/**
 * Runs `fn` on `input` and fails when it costs more than the input's budget. Returns what `fn` threw, if anything.
 * A call over budget is run again (twice at most) and the cheapest run counts: a scheduler pause or a collection on a
 * loaded machine does not repeat, a decoder that loops or allocates on a lying length does, every time.
 */
export function withinBudget(input: { length: number }, fn: () => void): unknown {
  let thrown: unknown;
  const run = () =>
    measure(() => {
      try {
        fn();
      } catch (error) {
        thrown = error;
      }
    });
  const budget = budgetFor(input.length);
  let cost = run();
  for (let retry = 0; retry < 2 && (cost.ms >= budget.ms || cost.bytes >= budget.bytes); retry++) {
    const again = run();
    cost = { ms: Math.min(cost.ms, again.ms), bytes: Math.min(cost.bytes, again.bytes) };
  }
  expect(cost.ms, `time for ${input.length} bytes`).toBeLessThan(budget.ms);
  expect(cost.bytes, `memory for ${input.length} bytes`).toBeLessThan(budget.bytes);
  return thrown;
}
