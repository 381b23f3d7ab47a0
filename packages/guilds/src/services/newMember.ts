import type { MemberRecord } from '../model/records.js';

/** A member record as a join creates it: no nick, no roles, nothing muted. */
export function newMember(userId: string, joinedAt: string, temporary = false): MemberRecord {
  return {
    user_id: userId,
    nick: null,
    avatar: null,
    roles: [],
    joined_at: joinedAt,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    ...(temporary ? { temporary: true } : {}),
  };
}
