import { readSnowflake } from '../readSnowflake.js';
import { MemberRequestError } from './MemberRequestError.js';

/** An op 8 request after validation, in the form {@link buildMemberChunks} reads. */
export interface MemberRequest {
  guildId: string;
  /** Set for query requests (`''` = everyone); undefined when `userIds` is set. */
  query: string | undefined;
  /** 0 = no limit (only meaningful with `query: ''`); a prefix query's is 1..{@link MAX_QUERY_RESULTS}. */
  limit: number;
  /** Unique ids, at most {@link MAX_USER_IDS}; set for by-id requests. */
  userIds: string[] | undefined;
  presences: boolean;
  /** Echoed in every chunk; dropped (not an error) when not a string of at most 32 UTF-8 bytes, as Discord does. */
  nonce: string | undefined;
}

export type ParseMemberRequestResult = { ok: true; request: MemberRequest } | { ok: false; error: MemberRequestError };

export const MAX_USER_IDS = 100;
export const MAX_QUERY_RESULTS = 100;
export const MAX_NONCE_BYTES = 32;
function fail(code: MemberRequestError['code'], message: string): ParseMemberRequestResult {
  return { ok: false, error: new MemberRequestError(code, message) };
}

/**
 * Validates the `d` of an op 8 payload. Never throws: any input gives a request or a typed error.
 *
 * Leniencies, all matching what Discord accepts: `guild_id` may be a one-element array (the old multi-guild form);
 * `limit` may be absent (0); `user_ids` may be a single id; when both `user_ids` and `query` are given the ids win;
 * `user_ids` beyond the first 100 unique ones are dropped (Discord answers at most 100 of them).
 */
export function parseMemberRequest(d: unknown): ParseMemberRequestResult {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return fail('INVALID_PAYLOAD', 'd must be an object');
  const data = d as Record<string, unknown>;

  let rawGuildId = data.guild_id;
  if (Array.isArray(rawGuildId)) {
    if (rawGuildId.length !== 1) return fail('TOO_MANY_GUILDS', 'only one guild_id per request');
    rawGuildId = rawGuildId[0];
  }
  const guildId = readSnowflake(rawGuildId);
  if (guildId === null) return fail('INVALID_GUILD_ID', 'guild_id must be a snowflake');

  let limit = 0;
  if (data.limit !== undefined && data.limit !== null) {
    if (typeof data.limit !== 'number' || !Number.isSafeInteger(data.limit) || data.limit < 0) {
      return fail('INVALID_LIMIT', 'limit must be a non-negative integer');
    }
    limit = data.limit;
  }

  let userIds: string[] | undefined;
  if (data.user_ids !== undefined && data.user_ids !== null) {
    const raw = Array.isArray(data.user_ids) ? data.user_ids : [data.user_ids];
    const unique = new Set<string>();
    for (const value of raw) {
      const id = readSnowflake(value);
      if (id === null) return fail('INVALID_USER_IDS', 'user_ids must be snowflakes');
      if (unique.size < MAX_USER_IDS) unique.add(id);
    }
    userIds = [...unique];
  }

  let query: string | undefined;
  if (userIds === undefined) {
    if (typeof data.query !== 'string') {
      return fail(
        data.query === undefined || data.query === null ? 'MISSING_QUERY_OR_USER_IDS' : 'INVALID_QUERY',
        'query (string) or user_ids is required',
      );
    }
    query = data.query;
    // A prefix query answers at most 100 members (0 = that many): say so here, so no directory is asked for more.
    if (query !== '') limit = limit === 0 ? MAX_QUERY_RESULTS : Math.min(limit, MAX_QUERY_RESULTS);
  }

  const nonce =
    typeof data.nonce === 'string' && Buffer.byteLength(data.nonce, 'utf8') <= MAX_NONCE_BYTES ? data.nonce : undefined;

  return { ok: true, request: { guildId, query, limit, userIds, presences: data.presences === true, nonce } };
}

/** `query: ""` asks for the member list itself (with `limit: 0`, all of it): needs GUILD_MEMBERS. */
export function needsGuildMembersIntent(request: MemberRequest): boolean {
  return request.query === '';
}

/**
 * Whole-list requests are the expensive ones, limited to one per guild per 30 s: an empty query for more than one
 * page of {@link MAX_QUERY_RESULTS} members. `limit: 0` asks for everyone, and so does any limit at least the guild's
 * size (`1e9`), which the handler cannot tell apart from a merely large one without asking the directory first.
 */
export function isWholeListRequest(request: MemberRequest): boolean {
  return (
    request.userIds === undefined && request.query === '' && (request.limit === 0 || request.limit > MAX_QUERY_RESULTS)
  );
}
