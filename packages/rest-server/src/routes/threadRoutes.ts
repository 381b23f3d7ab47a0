import { invalidFormBody } from '../errors/invalidFormBody.js';
import { intParam, snowflakeParam } from '../http/queryParams.js';
import type { RestRequest, RouteDefinition } from '../pipeline/RouteDefinition.js';
import { guildOfChannel } from './locateChannel.js';

type Body = Record<string, unknown> | undefined;

/** `before` of the archived-thread lists: an ISO 8601 timestamp (Discord's), refused with 50035 when unreadable. */
function beforeTimestamp(req: RestRequest): string | undefined {
  const v = req.query.get('before');
  if (v === null) return undefined;
  if (v.length > 64 || !Number.isFinite(Date.parse(v))) {
    throw invalidFormBody(['before'], 'DATE_TIME_TYPE_PARSE', `Could not parse ${v.slice(0, 64)}. Should be ISO8601.`);
  }
  return v;
}

function archivedQuery(req: RestRequest) {
  const limit = intParam(req.query, 'limit', 2, 100, 50);
  const before = beforeTimestamp(req);
  return { limit, ...(before !== undefined ? { before } : {}) };
}

/**
 * Threads: start one (in a channel, or from a message), its members (join, leave, add, remove, list), and the active
 * and archived lists. Reading, modifying and deleting a thread are the `/channels/{id}` routes (channelRoutes.ts).
 */
export const threadRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/channels/:channel_id/threads',
    rule: 'write',
    status: 201,
    handler: async (req) =>
      req.ctx.community.threads.create(
        req.user.id,
        await guildOfChannel(req),
        req.params.channel_id!,
        req.body as Body,
        undefined,
        req.reason,
      ),
  },
  {
    method: 'POST',
    path: '/channels/:channel_id/messages/:message_id/threads',
    rule: 'write',
    status: 201,
    handler: async (req) => {
      const { channel_id, message_id } = req.params;
      const guildId = await guildOfChannel(req);
      return req.ctx.community.threads.create(
        req.user.id,
        guildId,
        channel_id!,
        req.body as Body,
        message_id,
        req.reason,
      );
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/thread-members',
    rule: 'read',
    handler: async (req) => {
      const limit = intParam(req.query, 'limit', 1, 100, 100);
      const after = snowflakeParam(req.query, 'after');
      const guildId = await guildOfChannel(req);
      return req.ctx.community.threads.members(req.user.id, guildId, req.params.channel_id!, {
        limit,
        ...(after !== undefined ? { after } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/thread-members/:user_id',
    rule: 'read',
    handler: async (req) =>
      req.ctx.community.threads.member(
        req.user.id,
        await guildOfChannel(req),
        req.params.channel_id!,
        req.params.user_id!,
      ),
  },
  {
    method: 'PUT',
    path: '/channels/:channel_id/thread-members/@me',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.threads.addMember(req.user.id, await guildOfChannel(req), req.params.channel_id!);
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/thread-members/@me',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.threads.removeMember(req.user.id, await guildOfChannel(req), req.params.channel_id!);
    },
  },
  {
    method: 'PUT',
    path: '/channels/:channel_id/thread-members/:user_id',
    rule: 'write',
    handler: async (req) => {
      const guildId = await guildOfChannel(req);
      await req.ctx.community.threads.addMember(req.user.id, guildId, req.params.channel_id!, req.params.user_id!);
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/thread-members/:user_id',
    rule: 'write',
    handler: async (req) => {
      const guildId = await guildOfChannel(req);
      await req.ctx.community.threads.removeMember(req.user.id, guildId, req.params.channel_id!, req.params.user_id!);
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/threads/active',
    rule: 'read',
    handler: (req) => req.ctx.community.threads.active(req.user.id, req.params.guild_id!),
  },
  archivedRoute('/channels/:channel_id/threads/archived/public', 'public'),
  archivedRoute('/channels/:channel_id/threads/archived/private', 'private'),
  archivedRoute('/channels/:channel_id/users/@me/threads/archived/private', 'joined'),
];

/** One of the three archived-thread lists of a channel: public ones, private ones (MANAGE_THREADS), or those joined. */
function archivedRoute(path: string, kind: 'public' | 'private' | 'joined'): RouteDefinition {
  return {
    method: 'GET',
    path,
    rule: 'read',
    handler: async (req) =>
      req.ctx.community.threads.archived(
        req.user.id,
        await guildOfChannel(req),
        req.params.channel_id!,
        kind,
        archivedQuery(req),
      ),
  };
}
