import { createPrng, type Prng } from './prng.js';
import type { JitterPacket } from './types.js';

/** Random per-packet queueing delay added on top of the path's base delay. */
export type JitterModel =
  | { kind: 'none' }
  | { kind: 'exponential'; meanMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number }
  | { kind: 'pareto'; scaleMs: number; shape: number };

/** Deterministic delay changes over the trace. */
export type NetworkEvent =
  /** Congestion: extra delay ramps up to `peakMs` over `rampMs`, holds for `holdMs`, ramps down; extra jitter meanwhile. */
  | { kind: 'congestion'; startMs: number; rampMs: number; holdMs: number; peakMs: number; jitter?: JitterModel }
  /** Route change: the base delay steps by `deltaMs` (negative: faster route). */
  | { kind: 'route'; atMs: number; deltaMs: number }
  /** Wi-Fi-like periodic spikes: every `periodMs`, packets sent within `widthMs` get up to `heightMs` extra delay. */
  | { kind: 'spikes'; periodMs: number; widthMs: number; heightMs: number; offsetMs?: number };

export interface NetworkScenario {
  name: string;
  durationMs: number;
  /** Frame duration; 20 ms (960 samples at 48 kHz). */
  frameMs?: number;
  baseDelayMs: number;
  jitter: JitterModel;
  /** Gilbert–Elliott burst loss: p = P(good→bad), r = P(bad→good) per packet, loss probability in each state. */
  loss?: { p: number; r: number; lossGood?: number; lossBad?: number };
  /** A fraction of packets is held back by `extraMs` (a different path / retransmitting link layer): reordering. */
  reorder?: { probability: number; extraMs: number };
  /** Talk spurts with DTX pauses (exponential lengths); continuous speech when absent. */
  talk?: { meanTalkMs: number; meanSilenceMs: number };
  /** Probability that a packet is delivered twice. */
  duplicate?: number;
  events?: NetworkEvent[];
}

export interface SimulatedPacket extends JitterPacket {
  /** Send time in ms (media time of the frame on the sender's clock). */
  sendMs: number;
}

export interface SimulatedTrace {
  scenario: NetworkScenario;
  seed: number;
  /** Packets sent (one per frame in talk spurts). */
  sent: number;
  /** Packets the network dropped. */
  dropped: number;
  /** Delivered packets (duplicates included), sorted by arrival time. */
  arrivals: SimulatedPacket[];
}

function sampleJitter(m: JitterModel, rng: Prng): number {
  switch (m.kind) {
    case 'none':
      return 0;
    case 'exponential':
      return -m.meanMs * Math.log(1 - rng.next());
    case 'lognormal':
      return m.medianMs * Math.exp(m.sigma * rng.normal());
    case 'pareto':
      // Shifted so the minimum is 0: scale · (U^(−1/shape) − 1).
      return m.scaleMs * ((1 - rng.next()) ** (-1 / m.shape) - 1);
  }
}

function eventDelay(events: NetworkEvent[], t: number, rng: Prng): number {
  let extra = 0;
  for (const e of events) {
    if (e.kind === 'route') {
      if (t >= e.atMs) extra += e.deltaMs;
    } else if (e.kind === 'congestion') {
      const x = t - e.startMs;
      const end = 2 * e.rampMs + e.holdMs;
      if (x < 0 || x >= end) continue;
      const level = x < e.rampMs ? x / e.rampMs : x < e.rampMs + e.holdMs ? 1 : (end - x) / e.rampMs;
      extra += e.peakMs * level + (e.jitter ? sampleJitter(e.jitter, rng) * level : 0);
    } else {
      const phase = (t - (e.offsetMs ?? 0)) % e.periodMs;
      if (phase >= 0 && phase < e.widthMs) extra += e.heightMs * (1 - phase / e.widthMs);
    }
  }
  return extra;
}

/**
 * Simulates one RTP stream over a network: deterministic for a (scenario, seed) pair. The first packet always travels
 * at the base delay with no jitter, so that a fixed-delay buffer anchored on it is anchored at the true fastest
 * transit (the most favourable case for the baseline). Sequence numbers and timestamps start just below their wrap
 * points, so every trace exercises wrap-around.
 */
export function simulateNetwork(scenario: NetworkScenario, seed: number): SimulatedTrace {
  const rng = createPrng(seed);
  const frameMs = scenario.frameMs ?? 20;
  const samples = Math.round(frameMs * 48);
  const events = scenario.events ?? [];
  const arrivals: SimulatedPacket[] = [];
  let seq = 0xffff - 20;
  let ts = 0x1_0000_0000 - samples * 30;
  let good = true;
  let sent = 0;
  let dropped = 0;
  let talking = true;
  let phaseEnd = scenario.talk ? -scenario.talk.meanTalkMs * Math.log(1 - rng.next()) : Number.POSITIVE_INFINITY;
  for (let t = 0; t < scenario.durationMs; t += frameMs) {
    if (scenario.talk && t >= phaseEnd) {
      talking = !talking;
      const mean = talking ? scenario.talk.meanTalkMs : scenario.talk.meanSilenceMs;
      phaseEnd = t + Math.max(frameMs, -mean * Math.log(1 - rng.next()));
    }
    // Draw every random number for every frame, so that one feature does not shift the others' random streams.
    const uLoss = rng.next();
    const uState = rng.next();
    const uReorder = rng.next();
    const uDup = rng.next();
    const jitter = sampleJitter(scenario.jitter, rng);
    const extra = eventDelay(events, t, rng);
    const timestamp = ts >>> 0;
    const sequence = seq & 0xffff;
    ts += samples;
    if (!talking) continue;
    seq++;
    sent++;
    if (scenario.loss) {
      const { p, r, lossGood = 0, lossBad = 1 } = scenario.loss;
      const lost = uLoss < (good ? lossGood : lossBad);
      good = good ? uState >= p : uState < r;
      if (lost && sent > 1) {
        dropped++;
        continue;
      }
    }
    let delay = scenario.baseDelayMs + extra + (sent > 1 ? jitter : 0);
    if (scenario.reorder && sent > 1 && uReorder < scenario.reorder.probability) delay += scenario.reorder.extraMs;
    const payload = new Uint8Array([0xfc, sequence >> 8, sequence & 0xff, 0x55]);
    const packet = { sequence, timestamp, payload, sendMs: t, arrivalMs: t + delay };
    arrivals.push(packet);
    if (scenario.duplicate && uDup < scenario.duplicate)
      arrivals.push({ ...packet, arrivalMs: packet.arrivalMs + 1 + jitter });
  }
  arrivals.sort((a, b) => a.arrivalMs - b.arrivalMs);
  return { scenario, seed, sent, dropped, arrivals };
}
