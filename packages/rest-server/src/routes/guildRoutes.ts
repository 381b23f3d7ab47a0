import { boolParam } from '../http/queryParams.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Guilds themselves: create (Discord's client route), read, modify, delete. */
export const guildRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/guilds',
    rule: 'write',
    status: 201,
    handler: (req) => req.ctx.community.guilds.create(req.user.id, req.body as Record<string, unknown>),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id',
    rule: 'read',
    handler: (req) => {
      const withCounts = boolParam(req.query, 'with_counts') ?? false;
      return req.ctx.community.guilds.get(req.user.id, req.params.guild_id!, { withCounts });
    },
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild_id',
    rule: 'write',
    handler: (req) =>
      req.ctx.community.guilds.modify(
        req.user.id,
        req.params.guild_id!,
        req.body as Record<string, unknown>,
        req.reason,
      ),
  },
  {
    method: 'DELETE',
    path: '/guilds/:guild_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.guilds.delete(req.user.id, req.params.guild_id!);
    },
  },
];
