import type { APIGuildMember } from 'discord-api-types/v10';
import type { PresenceData } from '../types.js';

/** A group header of the sidebar: a hoisted role id, `'online'` or `'offline'`. */
export interface MemberListGroup {
  id: string;
  count: number;
}

/** A member row: the member (built by src/serialize) with its presence (Discord nests the presence in the member). */
export type MemberListMember = APIGuildMember & { presence: PresenceData };

export type MemberListItem = { group: MemberListGroup } | { member: MemberListMember };

/**
 * The `ops` of GUILD_MEMBER_LIST_UPDATE, over item indices of the whole list (headers count as items).
 * Client side: SYNC writes `items` from `range[0]`; INSERT/DELETE splice (`insert`: `index <= length`, `delete`:
 * `index < length`, both guaranteed by the server); UPDATE writes one index; INVALIDATE forgets a range.
 */
export type MemberListOp =
  | { op: 'SYNC'; range: [number, number]; items: MemberListItem[] }
  | { op: 'INSERT'; index: number; item: MemberListItem }
  | { op: 'UPDATE'; index: number; item: MemberListItem }
  | { op: 'DELETE'; index: number }
  | { op: 'INVALIDATE'; range: [number, number] };

/** The `d` of a GUILD_MEMBER_LIST_UPDATE dispatch. */
export interface MemberListUpdateData {
  guild_id: string;
  id: string;
  member_count: number;
  online_count: number;
  groups: MemberListGroup[];
  ops: MemberListOp[];
}

/** What one subscribed session must receive after a change. */
export interface MemberListUpdate {
  sessionId: string;
  ops: MemberListOp[];
}
