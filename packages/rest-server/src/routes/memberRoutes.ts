import { intParam, snowflakeParam } from '../http/queryParams.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

type Body = Record<string, unknown> | undefined;

/** Guild members: list, read, modify (oneself through `@me`), kick, role grants, leaving a guild. */
export const memberRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/guilds/:guild_id/members',
    rule: 'read',
    handler: (req) => {
      const limit = intParam(req.query, 'limit', 1, 1000, 1);
      const after = snowflakeParam(req.query, 'after');
      return req.ctx.community.members.list(req.user.id, req.params.guild_id!, {
        limit,
        ...(after !== undefined ? { after } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/members/:user_id',
    rule: 'read',
    handler: (req) => req.ctx.community.members.get(req.user.id, req.params.guild_id!, req.params.user_id!),
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild_id/members/@me',
    rule: 'write',
    handler: (req) =>
      req.ctx.community.members.modify(req.user.id, req.params.guild_id!, req.user.id, req.body as Body, req.reason),
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild_id/members/:user_id',
    rule: 'write',
    handler: (req) =>
      req.ctx.community.members.modify(
        req.user.id,
        req.params.guild_id!,
        req.params.user_id!,
        req.body as Body,
        req.reason,
      ),
  },
  {
    method: 'DELETE',
    path: '/guilds/:guild_id/members/:user_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.members.kick(req.user.id, req.params.guild_id!, req.params.user_id!, req.reason);
    },
  },
  {
    method: 'PUT',
    path: '/guilds/:guild_id/members/:user_id/roles/:role_id',
    rule: 'write',
    handler: async (req) => {
      const { guild_id, user_id, role_id } = req.params;
      await req.ctx.community.members.addRole(req.user.id, guild_id!, user_id!, role_id!, req.reason);
    },
  },
  {
    method: 'DELETE',
    path: '/guilds/:guild_id/members/:user_id/roles/:role_id',
    rule: 'write',
    handler: async (req) => {
      const { guild_id, user_id, role_id } = req.params;
      await req.ctx.community.members.removeRole(req.user.id, guild_id!, user_id!, role_id!, req.reason);
    },
  },
  {
    method: 'DELETE',
    path: '/users/@me/guilds/:guild_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.members.leave(req.user.id, req.params.guild_id!);
    },
  },
];
