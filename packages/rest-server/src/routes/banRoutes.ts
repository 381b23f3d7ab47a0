import { intParam, oneCursor, snowflakeParam } from '../http/queryParams.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Guild bans (BAN_MEMBERS): list, read one, ban (with message deletion), unban. */
export const banRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/guilds/:guild_id/bans',
    rule: 'read',
    handler: (req) => {
      oneCursor(req.query, ['before', 'after']);
      const limit = intParam(req.query, 'limit', 1, 1000, 1000);
      const before = snowflakeParam(req.query, 'before');
      const after = snowflakeParam(req.query, 'after');
      return req.ctx.community.members.listBans(req.user.id, req.params.guild_id!, {
        limit,
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/bans/:user_id',
    rule: 'read',
    handler: (req) => req.ctx.community.members.getBan(req.user.id, req.params.guild_id!, req.params.user_id!),
  },
  {
    method: 'PUT',
    path: '/guilds/:guild_id/bans/:user_id',
    rule: 'write',
    handler: async (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      await req.ctx.community.members.ban(req.user.id, req.params.guild_id!, req.params.user_id!, body, req.reason);
    },
  },
  {
    method: 'DELETE',
    path: '/guilds/:guild_id/bans/:user_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.members.unban(req.user.id, req.params.guild_id!, req.params.user_id!, req.reason);
    },
  },
];
