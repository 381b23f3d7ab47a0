export { createFixedDelayBuffer, type FixedDelayBufferOptions } from './createFixedDelayBuffer.js';
export { createJitterBuffer, type JitterBufferOptions } from './createJitterBuffer.js';
export { createDelayHistogram, type DelayHistogram } from './DelayHistogram.js';
export { createOpusConcealer, type OpusLikeDecoder } from './opusConcealer.js';
export { createPrng, type Prng } from './prng.js';
export { createRtpUnwrapper, type RtpUnwrapper } from './RtpUnwrapper.js';
export { runTrace, type TraceResult } from './runTrace.js';
export { JITTER_SCENARIOS } from './scenarios.js';
export {
  type JitterModel,
  type NetworkEvent,
  type NetworkScenario,
  type SimulatedPacket,
  type SimulatedTrace,
  simulateNetwork,
} from './simulateNetwork.js';
export type { JitterBuffer, JitterBufferCommonOptions, JitterPacket, JitterStats, PullResult } from './types.js';
