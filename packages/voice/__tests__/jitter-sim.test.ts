import OpusScript from 'opusscript';
import { describe, expect, it } from 'vitest';
import {
  createFixedDelayBuffer,
  createJitterBuffer,
  createOpusConcealer,
  createPrng,
  JITTER_SCENARIOS,
  type NetworkScenario,
  runTrace,
  simulateNetwork,
} from '../src/jitter/index.js';

describe('network simulator', () => {
  it('is deterministic for a seed, and the seed matters', () => {
    for (const scenario of JITTER_SCENARIOS) {
      const a = simulateNetwork(scenario, 42);
      const b = simulateNetwork(scenario, 42);
      expect(b).toEqual(a);
      const c = simulateNetwork(scenario, 43);
      expect(c.arrivals.map((p) => p.arrivalMs)).not.toEqual(a.arrivals.map((p) => p.arrivalMs));
    }
  });

  it('PRNG gives the same stream for a seed, uniform-ish in [0, 1)', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a.next();
      expect(x).toBe(b.next());
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it('produces burst loss, reordering, duplicates and wrap-around as configured', () => {
    const scenario: NetworkScenario = {
      name: 't',
      durationMs: 60_000,
      baseDelayMs: 30,
      jitter: { kind: 'exponential', meanMs: 5 },
      loss: { p: 0.02, r: 0.25, lossBad: 1 },
      reorder: { probability: 0.05, extraMs: 50 },
      duplicate: 0.02,
    };
    const t = simulateNetwork(scenario, 1);
    expect(t.sent).toBe(3000);
    // Stationary loss rate of this Gilbert–Elliott chain: p / (p + r) ≈ 7.4 %.
    expect(t.dropped / t.sent).toBeGreaterThan(0.04);
    expect(t.dropped / t.sent).toBeLessThan(0.11);
    const seqs = t.arrivals.map((p) => p.sequence);
    expect(seqs.some((s, i) => i > 0 && ((s - seqs[i - 1]!) & 0xffff) > 0x8000)).toBe(true); // reordered
    expect(new Set(seqs).size).toBeLessThan(seqs.length); // duplicates
    expect(seqs).toContain(0xffff);
    expect(seqs).toContain(0);
    expect(t.arrivals.every((p, i) => i === 0 || p.arrivalMs >= t.arrivals[i - 1]!.arrivalMs)).toBe(true);
  });
});

describe('adaptive buffer on simulated networks', () => {
  it('raises its target under high jitter and decays back after it ends', () => {
    const scenario: NetworkScenario = {
      name: 'jitter-episode',
      durationMs: 90_000,
      baseDelayMs: 30,
      jitter: { kind: 'exponential', meanMs: 2 },
      events: [
        {
          kind: 'congestion',
          startMs: 15_000,
          rampMs: 100,
          holdMs: 10_000,
          peakMs: 0,
          jitter: { kind: 'exponential', meanMs: 40 },
        },
      ],
    };
    const trace = simulateNetwork(scenario, 5);
    const r = runTrace(createJitterBuffer(), trace, { recordTargets: true });
    const targets = r.targets!;
    const at = (ms: number) => targets[Math.floor(ms / 20)]!;
    expect(at(14_000)).toBeLessThanOrEqual(40);
    expect(at(24_000)).toBeGreaterThanOrEqual(120);
    expect(at(50_000)).toBeLessThan(at(24_000));
    expect(at(89_000)).toBeLessThanOrEqual(40);
    expect(r.stats.received - r.stats.played).toBeLessThan(trace.arrivals.length * 0.02);
  });

  it('beats the fixed buffer at the same delay on a route change (late-loss)', () => {
    const scenario = JITTER_SCENARIOS.find((s) => s.name === 'route-change')!;
    const trace = simulateNetwork(scenario, 3);
    const ours = runTrace(createJitterBuffer(), trace);
    const fixed = runTrace(createFixedDelayBuffer({ delayMs: Math.round(ours.meanAddedDelayMs) }), trace);
    expect(ours.lateLossPct).toBeLessThan(fixed.lateLossPct);
    const s = ours.stats;
    expect(s.played + s.late + s.duplicates + s.overflow + s.flushed + s.shrinkDropped + s.buffered).toBe(s.received);
  });

  it('keeps late-loss near its 1 % budget on every benchmark scenario', () => {
    for (const scenario of JITTER_SCENARIOS) {
      const r = runTrace(createJitterBuffer(), simulateNetwork(scenario, 11));
      expect(r.lateLossPct, scenario.name).toBeLessThan(3);
      expect(r.stats.targetDelayMs).toBeGreaterThanOrEqual(20);
    }
  });
});

describe('Opus concealment through opusscript', () => {
  it('returns one frame of PLC audio from decode(empty)', () => {
    const opus = new OpusScript(48_000, 2, OpusScript.Application.AUDIO);
    try {
      const pcm = Buffer.alloc(3840);
      for (let i = 0; i < 1920; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin(i / 10)), i * 2);
      for (let k = 0; k < 4; k++) opus.decode(opus.encode(pcm, 960));
      const conceal = createOpusConcealer(opus);
      const frame = conceal(1);
      expect(frame).toBeInstanceOf(Int16Array);
      expect(frame.length).toBe(1920);
      expect(frame.some((x) => Math.abs(x) > 100)).toBe(true);
      // And it plugs into the buffer.
      const b = createJitterBuffer({ conceal });
      b.push({ sequence: 1, timestamp: 960, payload: opus.encode(pcm, 960), arrivalMs: 0 });
      b.push({ sequence: 3, timestamp: 2880, payload: opus.encode(pcm, 960), arrivalMs: 40 });
      const kinds = [0, 20, 40, 60, 80, 100].map((t) => b.pull(t));
      const c = kinds.find((k) => k.kind === 'concealed');
      expect(c?.kind === 'concealed' && c.payload instanceof Int16Array && c.payload.length === 1920).toBe(true);
    } finally {
      opus.delete();
    }
  });
});
