// `@concord/voice/server`: the voice server and what it is built from (signalling over rooms and members, the SFU,
// the optional mixer, positional audio), and the gateway ↔ voice contract it implements.
export { defaultMixerOptions, MIXER_SSRC, Mixer, type MixerOptions, type MixerStats } from './mixer/Mixer.js';
export { SOFT_CLIP_KNEE, softClip } from './mixer/softClip.js';
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
  VoiceAllocation,
  VoiceAllocationRequest,
  VoiceGatewayContract,
  VoiceMove,
  VoiceReleaseRequest,
} from './server/VoiceGatewayContract.js';
export { createVoiceServer, VoiceServer, type VoiceServerEvents } from './server/VoiceServer.js';
export {
  defaultVoiceServerOptions,
  type VoiceAuthorization,
  type VoiceIdentify,
  type VoiceServerOptions,
} from './server/VoiceServerOptions.js';
export {
  type Position,
  type PositionalOptions,
  type RolloffModel,
  type Spatialization,
  spatialize,
} from './spatial/spatialize.js';
