import type { NetworkScenario } from './simulateNetwork.js';

const MINUTE = 60_000;

/** The benchmark's network scenarios: three steady ones, and three whose conditions change mid-trace. */
export const JITTER_SCENARIOS: readonly NetworkScenario[] = [
  {
    name: 'steady-low',
    durationMs: MINUTE,
    baseDelayMs: 30,
    jitter: { kind: 'exponential', meanMs: 4 },
  },
  {
    name: 'steady-high',
    durationMs: MINUTE,
    baseDelayMs: 60,
    jitter: { kind: 'pareto', scaleMs: 20, shape: 3 },
  },
  {
    name: 'reordering',
    durationMs: MINUTE,
    baseDelayMs: 40,
    jitter: { kind: 'lognormal', medianMs: 8, sigma: 0.5 },
    reorder: { probability: 0.05, extraMs: 45 },
    duplicate: 0.01,
  },
  {
    name: 'burst-loss-dtx',
    durationMs: MINUTE,
    baseDelayMs: 50,
    jitter: { kind: 'lognormal', medianMs: 10, sigma: 0.6 },
    loss: { p: 0.01, r: 0.3, lossGood: 0.002, lossBad: 0.7 },
    talk: { meanTalkMs: 4000, meanSilenceMs: 1500 },
  },
  {
    name: 'congestion-burst',
    durationMs: MINUTE,
    baseDelayMs: 40,
    jitter: { kind: 'exponential', meanMs: 5 },
    events: [
      {
        kind: 'congestion',
        startMs: 25_000,
        rampMs: 1500,
        holdMs: 4000,
        peakMs: 180,
        jitter: { kind: 'exponential', meanMs: 30 },
      },
    ],
  },
  {
    name: 'route-change',
    durationMs: MINUTE,
    baseDelayMs: 40,
    jitter: { kind: 'exponential', meanMs: 6 },
    events: [
      { kind: 'route', atMs: 20_000, deltaMs: 120 },
      { kind: 'route', atMs: 35_000, deltaMs: -120 },
    ],
  },
  {
    name: 'wifi-spikes',
    durationMs: MINUTE,
    baseDelayMs: 20,
    jitter: { kind: 'exponential', meanMs: 3 },
    events: [{ kind: 'spikes', periodMs: 5000, widthMs: 300, heightMs: 150, offsetMs: 2500 }],
  },
];
