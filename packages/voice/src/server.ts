// `@concord/voice/server`: the voice server and what it is built from (signalling over rooms and members, the SFU,
// the optional mixer, positional audio), and the gateway ↔ voice contract it implements.
export {
  type DaveEvent,
  DaveGroup,
  type DaveGroupOptions,
  type DaveMember,
  type DaveParticipant,
} from './dave/DaveGroup.js';
export { DaveOpcode } from './dave/daveFrames.js';
export { ExternalSender } from './dave/ExternalSender.js';
export { MlsDecodeError } from './dave/mlsEncoding.js';
export { type EvidenceClip, EvidenceRecorder, MAX_EVIDENCE_SECONDS } from './evidence/EvidenceRecorder.js';
export { writeOggOpus } from './evidence/writeOggOpus.js';
export { defaultMixerOptions, MIXER_SSRC, Mixer, type MixerOptions, type MixerStats } from './mixer/Mixer.js';
export { SOFT_CLIP_KNEE, softClip } from './mixer/softClip.js';
export type { DatagramSender } from './server/DatagramSender.js';
export { Member, type MemberEvents, type MemberInit, type MemberLink, type VoiceMemberInfo } from './server/Member.js';
export { type AddMemberOptions, Room, type RoomEvents } from './server/Room.js';
export {
  MAX_SILENCE_FRAMES,
  RTCP_MIN_INTERVAL_MS,
  Sfu,
  type SfuMember,
  type SfuStats,
  type UdpSend,
} from './server/Sfu.js';
export { type IssuedVoiceToken, TokenAllocator } from './server/TokenAllocator.js';
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
export { Audibility, type Audible, type Silenced, UNITY } from './spatial/Audibility.js';
export {
  CLIENT_POSITION_OP,
  DEFAULT_CLIENT_POSITION_RATE,
  MAX_COORDINATE,
  MAX_YAW,
  POSITION_FLOOD_FACTOR,
  parseClientPosition,
} from './spatial/clientPosition.js';
export {
  type Position,
  type PositionalOptions,
  type RolloffModel,
  type Spatialization,
  spatialize,
} from './spatial/spatialize.js';
export {
  EspeakSynthesizer,
  type EspeakSynthesizerOptions,
  parseWav,
} from './speech/EspeakSynthesizer.js';
export { MAX_NARRATORS, Narrator, type NarratorLink, type NarratorOptions } from './speech/Narrator.js';
export {
  PocketsphinxTranscriber,
  type PocketsphinxTranscriberOptions,
  wav16k,
} from './speech/PocketsphinxTranscriber.js';
export { toStereo48k } from './speech/resample.js';
export {
  defaultSegmenterOptions,
  rms,
  type Segment,
  Segmenter,
  type SegmenterOptions,
} from './speech/Segmenter.js';
export {
  SPEECH_SAMPLE_RATE,
  type Synthesizer,
  type Transcriber,
  type Transcript,
  type Utterance,
} from './speech/Speech.js';
export {
  defaultSpeechTapOptions,
  SpeechTap,
  type SpeechTapOptions,
  type SpeechTapStats,
} from './speech/SpeechTap.js';
export { type CodecEntry, type CodecTable, DEFAULT_PAYLOAD_TYPES } from './video/codecs.js';
export { isKeyframe, type VideoCodecName } from './video/keyframe.js';
export { MemberVideo } from './video/MemberVideo.js';
export { type CachedPacket, RetransmissionCache } from './video/RetransmissionCache.js';
export {
  buildFir,
  buildNack,
  buildPli,
  buildRemb,
  type Feedback,
  type FirFeedback,
  type NackFeedback,
  type PliFeedback,
  parseFeedback,
  type RembFeedback,
} from './video/rtcpFeedback.js';
export type { VideoForward } from './video/VideoForward.js';
export { VideoLayer } from './video/VideoLayer.js';
export {
  AUDIO_RESERVE_BPS,
  KEYFRAME_REQUEST_INTERVAL_MS,
  type VideoHost,
  type VideoPeer,
  VideoRouter,
} from './video/VideoRouter.js';
export type { VideoStats } from './video/VideoStats.js';
export type {
  AnnouncedStream,
  RequestedStream,
  SinkWants,
  StreamType,
  VideoAnnouncement,
} from './video/videoPayloads.js';
