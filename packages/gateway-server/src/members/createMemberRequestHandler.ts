import type { Directory } from '../Directory.js';
import type { MemberRequestHandler, MemberRequestResult, PresenceData, SessionInfo } from '../types.js';
import { CloseCode, GatewayIntentBits } from '../wire/protocol.js';
import { buildMemberChunks, effectiveLimit } from './buildMemberChunks.js';
import { MemberRequestLimiter, memberRequestRateLimited } from './MemberRequestLimiter.js';
import { isWholeListRequest, needsGuildMembersIntent, parseMemberRequest } from './parseMemberRequest.js';

export interface MemberRequestHandlerOptions {
  directory: Pick<Directory, 'members' | 'presences' | 'canView'>;
  /** Whole-list limiter; default one request per user per guild per 30 s. */
  limiter?: MemberRequestLimiter;
  /** Members per chunk (default 1000). */
  chunkSize?: number;
}

const SILENT: MemberRequestResult = { type: 'dispatch', events: [] };

function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * The op 8 handler the server calls after its generic checks. Outcomes:
 * - malformed request → close 4002;
 * - guild on another shard, guild not visible to the user, or `query: ""` without GUILD_MEMBERS → no answer (Discord
 *   stays silent there too; clients time out);
 * - `presences: true` without GUILD_PRESENCES → answered without presences (Discord: "otherwise always false");
 * - a second whole-list request (empty query, `limit` 0 or above 100 — see `isWholeListRequest`) within 30 s → one
 *   RATE_LIMITED dispatch;
 * - otherwise the GUILD_MEMBERS_CHUNK dispatches.
 */
export function createMemberRequestHandler(options: MemberRequestHandlerOptions): MemberRequestHandler {
  const { directory } = options;
  const limiter = options.limiter ?? new MemberRequestLimiter();
  return {
    async handle(session: SessionInfo, raw): Promise<MemberRequestResult> {
      const parsed = parseMemberRequest(raw);
      if (!parsed.ok) return { type: 'close', code: CloseCode.DecodeError, reason: parsed.error.message };
      const request = parsed.request;
      if ((session.intents & GatewayIntentBits.GuildPresences) === 0) request.presences = false;
      if (needsGuildMembersIntent(request) && (session.intents & GatewayIntentBits.GuildMembers) === 0) return SILENT;
      const [shardId, shardCount] = session.shard;
      if (shardCount > 1 && shardOf(request.guildId, shardCount) !== shardId) return SILENT;
      if (!(await directory.canView(session.userId, request.guildId))) return SILENT;
      if (isWholeListRequest(request)) {
        const retryAfter = limiter.take(`${session.userId}:${request.guildId}`);
        if (retryAfter > 0) {
          return {
            type: 'dispatch',
            events: [{ t: 'RATE_LIMITED', d: memberRequestRateLimited(request.guildId, request.nonce, retryAfter) }],
          };
        }
      }
      const limit = effectiveLimit(request);
      const members = await directory.members(
        request.guildId,
        request.userIds
          ? { limit: 0, userIds: request.userIds }
          : { query: request.query ?? '', limit: Number.isFinite(limit) ? limit : 0 },
      );
      let presences: Map<string, PresenceData> | undefined;
      if (request.presences && members.length > 0) {
        const list = await directory.presences(
          request.guildId,
          members.map((m) => m.user.id),
        );
        presences = new Map(list.map((p) => [p.user.id, p]));
      }
      const chunks = buildMemberChunks(
        members,
        request,
        presences ? { presences, chunkSize: options.chunkSize } : { chunkSize: options.chunkSize },
      );
      return { type: 'dispatch', events: chunks.map((d) => ({ t: 'GUILD_MEMBERS_CHUNK' as const, d })) };
    },
  };
}
