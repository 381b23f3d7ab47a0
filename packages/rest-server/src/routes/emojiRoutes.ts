import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Custom emoji of a guild: list, read, create (image as a data URI, stored in the blob store), modify, delete. */
export const emojiRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/guilds/:guild_id/emojis',
    rule: 'read',
    handler: (req) => req.ctx.community.emojis.list(req.user.id, req.params.guild_id!),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/emojis/:emoji_id',
    rule: 'read',
    handler: (req) => req.ctx.community.emojis.get(req.user.id, req.params.guild_id!, req.params.emoji_id!),
  },
  {
    method: 'POST',
    path: '/guilds/:guild_id/emojis',
    rule: 'write',
    status: 201,
    handler: (req) => req.ctx.community.emojis.create(req.user.id, req.params.guild_id!, req.body, req.reason),
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild_id/emojis/:emoji_id',
    rule: 'write',
    handler: (req) =>
      req.ctx.community.emojis.modify(req.user.id, req.params.guild_id!, req.params.emoji_id!, req.body, req.reason),
  },
  {
    method: 'DELETE',
    path: '/guilds/:guild_id/emojis/:emoji_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.emojis.delete(req.user.id, req.params.guild_id!, req.params.emoji_id!, req.reason);
    },
  },
];
