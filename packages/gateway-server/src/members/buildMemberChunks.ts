import { serializeMember } from '../serialize/serializeMember.js';
import { type SerializedPresence, serializePresence } from '../serialize/serializePresence.js';
import type { GuildMemberData, GuildMembersChunkData, PresenceData } from '../types.js';
import { MAX_QUERY_RESULTS, type MemberRequest } from './parseMemberRequest.js';

export const MEMBERS_PER_CHUNK = 1000;

export type PresenceLookup = ReadonlyMap<string, PresenceData> | ((userId: string) => PresenceData | undefined);

export interface BuildMemberChunksOptions {
  /** Presences of the guild's members; only read when `request.presences` is true. */
  presences?: PresenceLookup;
  /** Members per chunk, 1..1000 (default 1000). */
  chunkSize?: number;
}

/** Case-insensitive prefix match on username or nick (what Discord's op 8 query matches). */
export function matchesMemberQuery(member: GuildMemberData, lowerQuery: string): boolean {
  if (lowerQuery === '') return true;
  if (member.user.username.toLowerCase().startsWith(lowerQuery)) return true;
  return typeof member.nick === 'string' && member.nick.toLowerCase().startsWith(lowerQuery);
}

/** How many members a query request may return: at most 100 for a prefix, `limit` (0 = all) for `''`. */
export function effectiveLimit(request: MemberRequest): number {
  if (request.userIds) return request.userIds.length;
  if (request.query === '') return request.limit === 0 ? Number.POSITIVE_INFINITY : request.limit;
  return request.limit === 0 ? MAX_QUERY_RESULTS : Math.min(request.limit, MAX_QUERY_RESULTS);
}

function selectMembers(
  members: Iterable<GuildMemberData> | ReadonlyMap<string, GuildMemberData>,
  request: MemberRequest,
): { selected: GuildMemberData[]; notFound: string[] | undefined } {
  const selected: GuildMemberData[] = [];
  if (request.userIds) {
    const byId = new Map<string, GuildMemberData>();
    if (members instanceof Map) {
      for (const id of request.userIds) {
        const m = (members as ReadonlyMap<string, GuildMemberData>).get(id);
        if (m) byId.set(id, m);
      }
    } else {
      const wanted = new Set(request.userIds);
      for (const m of members as Iterable<GuildMemberData>) {
        if (wanted.has(m.user.id) && !byId.has(m.user.id)) byId.set(m.user.id, m);
      }
    }
    const notFound: string[] = [];
    for (const id of request.userIds) {
      const m = byId.get(id);
      if (m) selected.push(m);
      else notFound.push(id);
    }
    return { selected, notFound };
  }
  const limit = effectiveLimit(request);
  if (limit === 0) return { selected, notFound: undefined };
  const lowerQuery = (request.query ?? '').toLowerCase();
  const seen = new Set<string>();
  const source = members instanceof Map ? (members as ReadonlyMap<string, GuildMemberData>).values() : members;
  for (const m of source as Iterable<GuildMemberData>) {
    if (seen.has(m.user.id) || !matchesMemberQuery(m, lowerQuery)) continue;
    seen.add(m.user.id);
    selected.push(m);
    if (selected.length >= limit) break;
  }
  return { selected, notFound: undefined };
}

/**
 * Cuts the answer to an op 8 request into GUILD_MEMBERS_CHUNK payloads (`d` of each dispatch, in order).
 *
 * Pure: intents, shard and rate limit are the caller's business (see {@link createMemberRequestHandler}); set
 * `request.presences` to false when the session lacks GUILD_PRESENCES. A member appears at most once even if the source
 * yields it twice. An empty answer still gives one chunk (`chunk_count: 1`) so the client's request completes;
 * `not_found` (by-id requests only) rides on the first chunk.
 */
export function buildMemberChunks(
  members: Iterable<GuildMemberData> | ReadonlyMap<string, GuildMemberData>,
  request: MemberRequest,
  options: BuildMemberChunksOptions = {},
): GuildMembersChunkData[] {
  const size = Math.max(1, Math.min(MEMBERS_PER_CHUNK, Math.floor(options.chunkSize ?? MEMBERS_PER_CHUNK)));
  const { selected, notFound } = selectMembers(members, request);
  const count = Math.max(1, Math.ceil(selected.length / size));
  const lookup = request.presences ? options.presences : undefined;
  const getPresence =
    lookup === undefined ? undefined : typeof lookup === 'function' ? lookup : (id: string) => lookup.get(id);
  const chunks: GuildMembersChunkData[] = [];
  for (let index = 0; index < count; index++) {
    const slice = selected.slice(index * size, (index + 1) * size);
    const chunk: GuildMembersChunkData = {
      guild_id: request.guildId,
      members: slice.map(serializeMember),
      chunk_index: index,
      chunk_count: count,
    };
    if (index === 0 && notFound) chunk.not_found = notFound;
    if (request.presences) {
      const presences: SerializedPresence[] = [];
      if (getPresence) {
        for (const m of slice) {
          const p = getPresence(m.user.id);
          if (p) presences.push(serializePresence(p, request.guildId));
        }
      }
      chunk.presences = presences;
    }
    if (request.nonce !== undefined) chunk.nonce = request.nonce;
    chunks.push(chunk);
  }
  return chunks;
}
