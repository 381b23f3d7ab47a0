export { SpeakingFlags, VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
export {
  OpusBitrateController,
  type OpusBitrateControllerOptions,
  type OpusEncoderSettings,
} from './client/OpusBitrateController.js';
export type {
  ReceivedFrame,
  SubscribeOptions,
  SubscriptionTarget,
} from './client/ReceiveSubscription.js';
export {
  type ReceivedPacket,
  type ReceivedReport,
  VoiceClient,
  type VoiceClientEvents,
  type VoiceClientOptions,
} from './client/VoiceClient.js';
export { type CryptoBackend, defaultBackend, jsBackend, sodiumBackend } from './crypto/backends.js';
export {
  chooseEncryptionMode,
  ENCRYPTION_MODES,
  type EncryptionMode,
  isEncryptionMode,
  SECRET_KEY_LENGTH,
} from './crypto/modes.js';
export { generateSecretKey, type OpenedRtp, PacketCipher, type PacketCipherOptions } from './crypto/PacketCipher.js';
export { ReplayWindow } from './crypto/ReplayWindow.js';
export { SequenceReplayGuard } from './crypto/SequenceReplayGuard.js';
export { PacketError, type PacketErrorCode, VoiceError } from './errors.js';
export * from './jitter/index.js';
export { MIXER_DEFAULTS, MIXER_SSRC, Mixer, type MixerOptions, type MixerStats } from './mixer/Mixer.js';
export { SOFT_CLIP_KNEE, softClip } from './mixer/softClip.js';
export {
  createOpusCodec,
  OPUS_CHANNELS,
  OPUS_FRAME_SAMPLES,
  OPUS_SAMPLE_RATE,
  type OpusCodec,
  PCM_FRAME_BYTES,
  SILENCE_FRAME,
} from './opus/opus.js';
export { ReceptionStats } from './rtcp/ReceptionStats.js';
export {
  buildReceiverReport,
  isRtcp,
  MAX_REPORT_BLOCKS,
  type OtherRtcp,
  parseRtcp,
  type ReceiverReport,
  type ReportBlock,
  RTCP_CLEAR_SIZE,
  type RtcpPacket,
  RtcpType,
} from './rtcp/Rtcp.js';
export {
  buildRtpHeader,
  OPUS_PAYLOAD_TYPE,
  parseRtpPacket,
  RTP_HEADER_SIZE,
  type RtpHeader,
  type RtpHeaderInit,
  type RtpLayout,
  readRtpFixedHeader,
  rtpsizeClearLength,
  stripPadding,
} from './rtp/RtpHeader.js';
export { MAX_SILENCE_FRAMES, Sfu, type SfuMember, type SfuStats, type UdpSend } from './server/Sfu.js';
export { TokenAllocator, type VoiceAllocation, type VoiceAllocationRequest } from './server/TokenAllocator.js';
export {
  createVoiceServer,
  VOICE_SERVER_DEFAULTS,
  type VoiceAuthorization,
  type VoiceIdentify,
  type VoiceMemberInfo,
  VoiceServer,
  type VoiceServerEvents,
  type VoiceServerOptions,
} from './server/VoiceServer.js';
export {
  type Position,
  type PositionalOptions,
  type RolloffModel,
  type Spatialization,
  spatialize,
} from './spatial/spatialize.js';
export {
  buildIpDiscoveryRequest,
  buildIpDiscoveryResponse,
  IP_DISCOVERY_SIZE,
  isIpDiscoveryRequest,
  parseIpDiscoveryResponse,
} from './udp/ipDiscovery.js';
