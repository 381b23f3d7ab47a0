import { intParam, oneCursor, snowflakeParam } from '../http/queryParams.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Users: oneself (read, edit), another user, one's guilds, one's DMs (list, open), one's blocks (relationships). */
export const userRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/users/@me', rule: 'read', handler: (req) => req.ctx.community.users.me(req.user.id) },
  {
    method: 'PATCH',
    path: '/users/@me',
    rule: 'write',
    handler: (req) => req.ctx.community.users.modifyMe(req.user.id, req.body),
  },
  {
    method: 'GET',
    path: '/users/:user_id',
    rule: 'read',
    handler: (req) => req.ctx.community.users.get(req.params.user_id!),
  },
  {
    method: 'GET',
    path: '/users/@me/guilds',
    rule: 'read',
    handler: (req) => {
      oneCursor(req.query, ['before', 'after']);
      const limit = intParam(req.query, 'limit', 1, 200, 200);
      const before = snowflakeParam(req.query, 'before');
      const after = snowflakeParam(req.query, 'after');
      return req.ctx.community.guilds.listForUser(req.user.id, {
        limit,
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/users/@me/channels',
    rule: 'read',
    handler: (req) => req.ctx.community.dms.list(req.user.id),
  },
  {
    method: 'POST',
    path: '/users/@me/channels',
    rule: 'write',
    handler: (req) => req.ctx.community.dms.open(req.user.id, req.body),
  },
  {
    method: 'GET',
    path: '/users/@me/relationships',
    rule: 'read',
    handler: (req) => req.ctx.community.relationships.list(req.user.id),
  },
  {
    method: 'PUT',
    path: '/users/@me/relationships/:user_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.relationships.block(req.user.id, req.params.user_id!, req.body);
    },
  },
  {
    method: 'DELETE',
    path: '/users/@me/relationships/:user_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.relationships.unblock(req.user.id, req.params.user_id!);
    },
  },
];
