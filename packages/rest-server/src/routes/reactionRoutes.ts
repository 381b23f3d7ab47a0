import { intParam, snowflakeParam } from '../http/queryParams.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

const base = '/channels/:channel_id/messages/:message_id/reactions';
// The emoji segment is a unicode emoji or `name:id` (URL-decoded by the router), never a snowflake.
const strings = ['emoji_name'] as const;

/** Reactions: add and remove one's own, remove another's, list who reacted, clear all or one emoji. */
export const reactionRoutes: RouteDefinition[] = [
  {
    method: 'PUT',
    path: `${base}/:emoji_name/@me`,
    rule: 'editMessage',
    strings,
    handler: async (req) => {
      const { channel_id, message_id, emoji_name } = req.params;
      await req.ctx.community.reactions.add(req.user.id, channel_id!, message_id!, emoji_name!);
    },
  },
  {
    method: 'DELETE',
    path: `${base}/:emoji_name/@me`,
    rule: 'editMessage',
    strings,
    handler: async (req) => {
      const { channel_id, message_id, emoji_name } = req.params;
      await req.ctx.community.reactions.remove(req.user.id, channel_id!, message_id!, emoji_name!);
    },
  },
  {
    method: 'DELETE',
    path: `${base}/:emoji_name/:user_id`,
    rule: 'editMessage',
    strings,
    handler: async (req) => {
      const { channel_id, message_id, emoji_name, user_id } = req.params;
      await req.ctx.community.reactions.remove(req.user.id, channel_id!, message_id!, emoji_name!, user_id!);
    },
  },
  {
    method: 'GET',
    path: `${base}/:emoji_name`,
    rule: 'read',
    strings,
    handler: (req) => {
      const { channel_id, message_id, emoji_name } = req.params;
      const limit = intParam(req.query, 'limit', 1, 100, 25);
      const after = snowflakeParam(req.query, 'after');
      return req.ctx.community.reactions.users(req.user.id, channel_id!, message_id!, emoji_name!, {
        limit,
        ...(after !== undefined ? { after } : {}),
      });
    },
  },
  {
    method: 'DELETE',
    path: base,
    rule: 'editMessage',
    handler: async (req) => {
      await req.ctx.community.reactions.clear(req.user.id, req.params.channel_id!, req.params.message_id!);
    },
  },
  {
    method: 'DELETE',
    path: `${base}/:emoji_name`,
    rule: 'editMessage',
    strings,
    handler: async (req) => {
      const { channel_id, message_id, emoji_name } = req.params;
      await req.ctx.community.reactions.clear(req.user.id, channel_id!, message_id!, emoji_name!);
    },
  },
];
