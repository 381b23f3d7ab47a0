// `@concord/voice`: what most users need — the voice client, the voice server, the gateway ↔ voice contract, and
// the shared vocabulary (modes, errors, Opus constants, jitter buffer). Everything else is behind a subpath:
// `/client` and `/server` (complete sets, building blocks included), `/cluster` (voice nodes and their allocator),
// `/rtp` (packet tools: RTP, RTCP, encryption, IP discovery), `/browser` (voice in a browser over WebRTC, no Node
// module), `/testing` (network simulation).
export { SpeakingFlags, VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
export type { ReceivedFrame, SubscribeOptions, SubscriptionTarget } from './client/ReceiveSubscription.js';
export { VoiceClient } from './client/VoiceClient.js';
export type { ReceivedPacket, ReceivedReport, VoiceClientEvents } from './client/VoiceClientEvents.js';
export type { VoiceClientOptions } from './client/VoiceClientOptions.js';
export type { VoiceClientState, VoiceClientStateCode } from './client/VoiceClientState.js';
export type { CryptoBackend } from './crypto/backends.js';
export { ENCRYPTION_MODES, type EncryptionMode } from './crypto/modes.js';
export { PacketError, type PacketErrorCode, VoiceError } from './errors.js';
export { createJitterBuffer, type JitterBufferOptions } from './jitter/createJitterBuffer.js';
export type {
  JitterBuffer,
  JitterBufferCommonOptions,
  JitterPacket,
  JitterStats,
  PullResult,
} from './jitter/types.js';
export { MIXER_SSRC } from './mixer/Mixer.js';
export {
  createOpusCodec,
  OPUS_CHANNELS,
  OPUS_FRAME_SAMPLES,
  OPUS_SAMPLE_RATE,
  type OpusCodec,
  PCM_FRAME_BYTES,
  SILENCE_FRAME,
} from './opus/opus.js';
export type { VoiceMemberInfo } from './server/Member.js';
export type {
  StreamAllocation,
  StreamAllocationRequest,
  StreamReleaseRequest,
  VoiceAllocation,
  VoiceAllocationRequest,
  VoiceGatewayContract,
  VoiceMove,
  VoiceReleaseRequest,
  VoiceStateNotice,
} from './server/VoiceGatewayContract.js';
export { createVoiceServer, VoiceServer, type VoiceServerEvents } from './server/VoiceServer.js';
export {
  defaultVoiceServerOptions,
  type VoiceAuthorization,
  type VoiceIdentify,
  type VoiceServerOptions,
} from './server/VoiceServerOptions.js';
export type { Position, PositionalOptions, RolloffModel } from './spatial/spatialize.js';
export type { Synthesizer, Transcriber, Transcript, Utterance } from './speech/Speech.js';
