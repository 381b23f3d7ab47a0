// `@concord/voice/testing`: network simulation for tuning and testing playout — seeded jitter/loss models, the
// standard scenarios, and a trace runner that scores a jitter buffer on them.
export { createPrng, type Prng } from './jitter/prng.js';
export { runTrace, type TraceResult } from './jitter/runTrace.js';
export { JITTER_SCENARIOS } from './jitter/scenarios.js';
export {
  type JitterModel,
  type NetworkEvent,
  type NetworkScenario,
  type SimulatedPacket,
  type SimulatedTrace,
  simulateNetwork,
} from './jitter/simulateNetwork.js';
