// `@concord/voice/rtp`: packet tools — RTP headers, RTCP receiver reports, transport encryption (every mode, with
// replay protection), IP discovery — for building or inspecting voice traffic outside the client and server.
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
export { PacketError, type PacketErrorCode } from './errors.js';
export { createRtpUnwrapper, type RtpUnwrapper } from './jitter/RtpUnwrapper.js';
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
export {
  buildIpDiscoveryRequest,
  buildIpDiscoveryResponse,
  IP_DISCOVERY_SIZE,
  isIpDiscoveryRequest,
  parseIpDiscoveryResponse,
} from './udp/ipDiscovery.js';
// Video RTP payload formats (VP8 RFC 7741, H.264 RFC 6184), RTX (RFC 4588) and frame reassembly with loss handling.
export {
  type AssembledFrame,
  type AssemblerOutput,
  type AssemblerPacket,
  FrameAssembler,
  type FrameAssemblerOptions,
  type FrameAssemblerStats,
} from './video/rtp/FrameAssembler.js';
export {
  depacketizeH264,
  H264Nal,
  H264Payloader,
  isH264FrameStart,
  isH264Keyframe,
  splitAnnexB,
} from './video/rtp/h264.js';
export { unwrapRtx, wrapRtx } from './video/rtp/rtx.js';
export {
  depacketizerFor,
  h264Depacketizer,
  type VideoDepacketizer,
  vp8Depacketizer,
} from './video/rtp/VideoDepacketizer.js';
export { VideoRtpError, type VideoRtpErrorCode } from './video/rtp/VideoRtpError.js';
export {
  DEFAULT_VIDEO_PAYLOAD_TYPES,
  isVideoCodecName,
  VIDEO_CLOCK_RATE,
  type VideoCodecName,
  type VideoPayloadTypes,
} from './video/rtp/videoCodecs.js';
export {
  depacketizeVp8,
  isVp8FrameStart,
  isVp8Keyframe,
  isVp8KeyframeData,
  parseVp8Descriptor,
  type Vp8Descriptor,
  Vp8Payloader,
  vp8FrameSize,
} from './video/rtp/vp8.js';
