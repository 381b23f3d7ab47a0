// Resource budgets for decoders of untrusted bytes: each call measured on its own, with bounds that are orders of
// magnitude above what honest input costs and far below what the attacks cost (issue #12: a 4 KiB msgpack frame took
// ~0.9 CPU-s and ~0.7 GB). Not a speed test of the machine.
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'vitest';
import { ProtocolError } from '../../src/index.js';

export interface Budget {
  ms: number;
  bytes: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * What decoding `size` input bytes may cost: 50 ms and 4 MiB + 256 bytes per input byte (5 MiB for a 4 KiB frame),
 * both growing with the input. Honest input decodes to a few tens of bytes per input byte at most (an array of empty
 * maps), in microseconds per KiB.
 */
export function budgetFor(size: number): Budget {
  return { ms: 50 * Math.max(1, size / (4 * KIB)), bytes: 4 * MIB + 256 * size };
}

/** Heap plus memory outside it (ArrayBuffers, Buffers, native zlib output). */
function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** The engine's gc(), when it can be had: --expose-gc, or set afterwards for a new context (V8 allows it). */
function exposeGc(): (() => void) | null {
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') return global.gc;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

const gc = exposeGc();
let afterLastGc = 0;

/**
 * Garbage left by earlier calls, collected during a measured one, would hide what that call allocated: collect it
 * first once more than 16 MiB has piled up (collecting before every call would cost more than the calls).
 */
function settle(): void {
  if (gc === null || memory() - afterLastGc < 16 * MIB) return;
  gc();
  afterLastGc = memory();
}

export interface Measured {
  ms: number;
  bytes: number;
  /** 'ok', or the ProtocolError code that was thrown. */
  outcome: string;
  value: unknown;
}

/** Runs `fn` once: its outcome (a ProtocolError's code, anything else is rethrown), time and memory growth. */
export function measure(fn: () => unknown): Measured {
  settle();
  const before = memory();
  const start = performance.now();
  let outcome = 'ok';
  let value: unknown;
  try {
    value = fn();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    outcome = error.code;
  }
  const ms = performance.now() - start;
  // Read while the result is still referenced; a collection during the call can only make this smaller.
  const bytes = Math.max(0, memory() - before);
  return { ms, bytes, outcome, value };
}

/**
 * Runs `fn` against `budget` and returns its outcome. A call over budget is measured once more and the better run
 * counts, so that a garbage-collection pause or a busy neighbour on the shared machine does not fail the test; an
 * attack is over budget every time.
 */
export function withinBudget(fn: () => unknown, budget: Budget, label = ''): string {
  let m = measure(fn);
  if (m.ms > budget.ms || m.bytes > budget.bytes) {
    const again = measure(fn);
    m = { ...again, ms: Math.min(m.ms, again.ms), bytes: Math.min(m.bytes, again.bytes) };
  }
  expect(m.ms, `${label} took ${m.ms.toFixed(1)} ms (budget ${budget.ms} ms)`).toBeLessThanOrEqual(budget.ms);
  expect(m.bytes, `${label} grew memory by ${(m.bytes / MIB).toFixed(1)} MiB`).toBeLessThanOrEqual(budget.bytes);
  return m.outcome;
}
