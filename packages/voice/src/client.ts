// `@concord/voice/client`: the voice client (audio, and video with the `video` option), its bitrate adaptation and
// receive subscriptions, and the jitter buffers and Opus codec it plays out with.
export {
  OpusBitrateController,
  type OpusBitrateControllerOptions,
  type OpusEncoderSettings,
} from './client/OpusBitrateController.js';
export type { ReceivedFrame, SubscribeOptions, SubscriptionTarget } from './client/ReceiveSubscription.js';
export type { KeyframeRequest, ReceivedVideoFrame, RemoteVideo, VideoStats } from './client/VideoEvents.js';
export { defaultVideoOptions, type VideoLayer, type VoiceClientVideoOptions } from './client/VideoOptions.js';
export type { SendVideoFrameOptions } from './client/VideoSession.js';
export { VoiceClient } from './client/VoiceClient.js';
export type { ReceivedPacket, ReceivedReport, VoiceClientEvents } from './client/VoiceClientEvents.js';
export { defaultVoiceClientOptions, type VoiceClientOptions } from './client/VoiceClientOptions.js';
export type {
  ConnectAttempt,
  VoiceClientClosedState,
  VoiceClientIdentifyingState,
  VoiceClientMediaState,
  VoiceClientOpeningWsState,
  VoiceClientReadyState,
  VoiceClientResumingState,
  VoiceClientSelectingProtocolState,
  VoiceClientState,
  VoiceClientStateCode,
  VoiceClientUdpHandshakingState,
} from './client/VoiceClientState.js';
export type { AllocatedLayer } from './client/videoPayloads.js';
export { createFixedDelayBuffer, type FixedDelayBufferOptions } from './jitter/createFixedDelayBuffer.js';
export { createJitterBuffer, type JitterBufferOptions } from './jitter/createJitterBuffer.js';
export { createDelayHistogram, type DelayHistogram } from './jitter/DelayHistogram.js';
export { createOpusConcealer, type OpusLikeDecoder } from './jitter/opusConcealer.js';
export type {
  JitterBuffer,
  JitterBufferCommonOptions,
  JitterPacket,
  JitterStats,
  PullResult,
} from './jitter/types.js';
export {
  createOpusCodec,
  OPUS_CHANNELS,
  OPUS_FRAME_SAMPLES,
  OPUS_SAMPLE_RATE,
  type OpusCodec,
  PCM_FRAME_BYTES,
  SILENCE_FRAME,
} from './opus/opus.js';
