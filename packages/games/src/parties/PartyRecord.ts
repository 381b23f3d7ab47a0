import { isPartyJoinMode, type PartyJoinMode } from './PartyJoinMode.js';
import { MAX_PARTY_CAPACITY } from './partyDefaults.js';

/** The entity kind parties are stored under (partition: the game's guild id; id: the party's channel id). */
export const PARTY_RECORD_KIND = 'games.party';

/**
 * What is kept of a party so that another `GameHost` (after a restart or a failover) takes it over: the parts its
 * channel does not carry. Who is in it is the channel's member overwrites (a party's truth for clients and voice);
 * the record keeps their join order, for the leader hand-over.
 */
export interface PartyRecord {
  v: 1;
  leaderId: string;
  capacity: number;
  joinMode: PartyJoinMode;
  matchId: string | null;
  /** Members in join order. */
  members: string[];
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64;

/** A stored value → a record, or null for anything that is not one (a newer version, a damaged row). */
export function parsePartyRecord(value: unknown): PartyRecord | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (r.v !== 1 || !isId(r.leaderId) || !isPartyJoinMode(r.joinMode)) return null;
  if (!Number.isInteger(r.capacity) || (r.capacity as number) < 1 || (r.capacity as number) > MAX_PARTY_CAPACITY)
    return null;
  if (r.matchId !== null && !isId(r.matchId)) return null;
  if (!Array.isArray(r.members) || r.members.length > MAX_PARTY_CAPACITY || !r.members.every(isId)) return null;
  return {
    v: 1,
    leaderId: r.leaderId,
    capacity: r.capacity as number,
    joinMode: r.joinMode,
    matchId: r.matchId as string | null,
    members: [...(r.members as string[])],
  };
}
