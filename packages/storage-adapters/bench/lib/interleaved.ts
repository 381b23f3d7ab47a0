import type { MessageStore, NewMessage } from '../../src/index.js';

/** Collect garbage between rounds (run with --expose-gc) so one side does not pay for the other's allocations. */
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const median = (v: number[]) => v.sort((x, y) => x - y)[v.length >> 1]!;

/**
 * Latency samples of ours and the baseline in interleaved rounds (the order alternates), after a warm-up. Also the
 * client CPU per call: on a loaded shared box it is steadier than wall time and shows our own overhead.
 */
export async function measureLatencies(
  ours: () => Promise<unknown>,
  base: () => Promise<unknown>,
  { samplesPerRound, rounds, warmup }: { samplesPerRound: number; rounds: number; warmup: number },
): Promise<{ ours: number[]; base: number[]; cpuMsPerCall: { ours: number; base: number } }> {
  for (let i = 0; i < warmup; i++) {
    await ours();
    await base();
  }
  const a: number[] = [];
  const b: number[] = [];
  const cpu = { ours: 0, base: 0 };
  for (let r = 0; r < rounds; r++) {
    for (const fn of r % 2 === 0 ? [ours, base] : [base, ours]) {
      gc();
      const target = fn === ours ? a : b;
      const c0 = process.cpuUsage();
      for (let i = 0; i < samplesPerRound; i++) {
        const t = performance.now();
        await fn();
        target.push(performance.now() - t);
      }
      const c = process.cpuUsage(c0);
      cpu[fn === ours ? 'ours' : 'base'] += c.user + c.system;
    }
  }
  const calls = rounds * samplesPerRound * 1000;
  return {
    ours: a.sort((x, y) => x - y),
    base: b.sort((x, y) => x - y),
    cpuMsPerCall: { ours: cpu.ours / calls, base: cpu.base / calls },
  };
}

/** Operations per second of ours and the baseline: interleaved batches of `perRound` calls, `concurrency` in flight; medians. */
export async function measureThroughput(
  ours: () => Promise<unknown>,
  base: () => Promise<unknown>,
  { perRound, concurrency, rounds }: { perRound: number; concurrency: number; rounds: number },
): Promise<{ ours: number; base: number }> {
  const batch = async (fn: () => Promise<unknown>) => {
    gc();
    const start = performance.now();
    let left = perRound;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await fn();
      }),
    );
    return (perRound * 1000) / (performance.now() - start);
  };
  await batch(ours);
  await batch(base);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      a.push(await batch(ours));
      b.push(await batch(base));
    } else {
      b.push(await batch(base));
      a.push(await batch(ours));
    }
  }
  return { ours: median(a), base: median(b) };
}

/** Writes a history through the store, `concurrency` creates in flight. */
export async function seedStore(store: MessageStore, messages: NewMessage[], concurrency: number): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < messages.length) await store.create(messages[i++]!);
    }),
  );
}
