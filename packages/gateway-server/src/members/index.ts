// The contracts the server holds these to (`memberRequests` and `lazyMemberLists` options).
export type {
  GuildMembersChunkData,
  LazyMemberLists,
  MemberRequestHandler,
  MemberRequestResult,
  RequestGuildMembersData,
  SessionInfo,
} from '../types.js';
export { BlockList } from './BlockList.js';
export {
  type BuildMemberChunksOptions,
  buildMemberChunks,
  effectiveLimit,
  MEMBERS_PER_CHUNK,
  matchesMemberQuery,
  type PresenceLookup,
} from './buildMemberChunks.js';
export {
  createLazyMemberLists,
  type LazyMemberListIndex,
  type LazyMemberListsOptions,
} from './createLazyMemberLists.js';
export { createMemberRequestHandler, type MemberRequestHandlerOptions } from './createMemberRequestHandler.js';
export { createMemberList, MemberList, type MemberListOptions, memberDisplayName } from './MemberList.js';
export type {
  MemberListGroup,
  MemberListItem,
  MemberListMember,
  MemberListOp,
  MemberListUpdate,
  MemberListUpdateData,
} from './MemberListOps.js';
export { MemberRequestError, type MemberRequestErrorCode } from './MemberRequestError.js';
export {
  MemberRequestLimiter,
  type MemberRequestLimiterOptions,
  memberRequestRateLimited,
} from './MemberRequestLimiter.js';
export {
  isWholeListRequest,
  MAX_NONCE_BYTES,
  MAX_QUERY_RESULTS,
  MAX_USER_IDS,
  type MemberRequest,
  needsGuildMembersIntent,
  type ParseMemberRequestResult,
  parseMemberRequest,
} from './parseMemberRequest.js';
