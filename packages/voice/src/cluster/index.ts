export type {
  VoiceAllocation,
  VoiceAllocationRequest,
  VoiceGatewayContract,
  VoiceMove,
  VoiceReleaseRequest,
} from '../server/VoiceGatewayContract.js';
export { createVoiceNode, type VoiceNode, type VoiceNodeOptions } from './createVoiceNode.js';
export {
  createVoiceNodeAllocator,
  type VoiceChannelMove,
  type VoiceNodeAllocation,
  type VoiceNodeAllocationRequest,
  type VoiceNodeAllocator,
  type VoiceNodeAllocatorEvents,
  type VoiceNodeAllocatorOptions,
  type VoiceNodeInfo,
  type VoiceNodeTarget,
} from './createVoiceNodeAllocator.js';
export {
  type HealthThresholds,
  INITIAL_HEALTH,
  type NodeHealth,
  nextHealth,
  type VoiceNodeHealthState,
} from './nodeHealth.js';
export { type PlacementNode, type PlacementOptions, placeChannel, rankNodes, rendezvousScore } from './placeChannel.js';
export { postVoiceStateNotice, voiceStateUrl } from './postVoiceStateNotice.js';
export { probeVoiceNode } from './probeVoiceNode.js';
export {
  createInMemoryAssignmentStore,
  createRedisAssignmentStore,
  type RedisLikeClient,
  type VoiceAssignmentStore,
} from './VoiceAssignmentStore.js';
export { VoiceClusterError, type VoiceClusterErrorCode } from './VoiceClusterError.js';
export { decodeVoiceNodeStatus, MAX_STATUS_BYTES, type VoiceNodeStatus } from './VoiceNodeStatus.js';
export type { NoticePoster } from './VoiceStateForwarder.js';
export {
  MAX_NOTICE_BYTES,
  NOTICE_MAX_SKEW_MS,
  type SignedVoiceStateNotice,
  signVoiceStateNotice,
  verifyVoiceStateNotice,
} from './voiceStateNotice.js';
export { voiceStateRoute } from './voiceStateRoute.js';
export { MAX_VOICE_TOKEN_LENGTH, signVoiceToken, type VoiceTokenClaims, verifyVoiceToken } from './voiceToken.js';
