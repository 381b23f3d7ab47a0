import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

type Body = Record<string, unknown> | undefined;

/** Guild roles: list, create, reorder, modify, delete (MANAGE_ROLES, below the actor's highest role). */
export const roleRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/guilds/:guild_id/roles',
    rule: 'read',
    handler: (req) => req.ctx.community.roles.list(req.user.id, req.params.guild_id!),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/roles/:role_id',
    rule: 'read',
    handler: (req) => req.ctx.community.roles.get(req.user.id, req.params.guild_id!, req.params.role_id!),
  },
  {
    method: 'POST',
    path: '/guilds/:guild_id/roles',
    rule: 'write',
    handler: (req) => req.ctx.community.roles.create(req.user.id, req.params.guild_id!, req.body as Body, req.reason),
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild_id/roles',
    rule: 'write',
    handler: (req) => req.ctx.community.roles.reorder(req.user.id, req.params.guild_id!, req.body, req.reason),
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild_id/roles/:role_id',
    rule: 'write',
    handler: (req) =>
      req.ctx.community.roles.modify(
        req.user.id,
        req.params.guild_id!,
        req.params.role_id!,
        req.body as Body,
        req.reason,
      ),
  },
  {
    method: 'DELETE',
    path: '/guilds/:guild_id/roles/:role_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.roles.delete(req.user.id, req.params.guild_id!, req.params.role_id!, req.reason);
    },
  },
];
