import type { RouteDefinition } from '../pipeline/RouteDefinition.js';
import { guildOfChannel, locateChannel } from './locateChannel.js';

type Body = Record<string, unknown>;

/** Guild channels (list, create, reorder) and one channel (read, modify, delete, permission overwrites). */
export const channelRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/guilds/:guild_id/channels',
    rule: 'read',
    handler: (req) => req.ctx.community.channels.list(req.user.id, req.params.guild_id!),
  },
  {
    method: 'POST',
    path: '/guilds/:guild_id/channels',
    rule: 'write',
    status: 201,
    handler: (req) =>
      req.ctx.community.channels.create(req.user.id, req.params.guild_id!, (req.body ?? {}) as Body, req.reason),
  },
  {
    method: 'PATCH',
    path: '/guilds/:guild_id/channels',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.channels.reorder(req.user.id, req.params.guild_id!, req.body, req.reason);
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id',
    rule: 'read',
    handler: async (req) => {
      const located = await locateChannel(req, req.params.channel_id!);
      if (located.guildId === null) return located.dm;
      return req.ctx.community.channels.get(req.user.id, located.guildId, req.params.channel_id!);
    },
  },
  {
    method: 'PATCH',
    path: '/channels/:channel_id',
    rule: 'write',
    handler: async (req) =>
      req.ctx.community.channels.modify(
        req.user.id,
        await guildOfChannel(req),
        req.params.channel_id!,
        (req.body ?? {}) as Body,
        req.reason,
      ),
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id',
    rule: 'write',
    handler: async (req) =>
      req.ctx.community.channels.delete(req.user.id, await guildOfChannel(req), req.params.channel_id!, req.reason),
  },
  {
    method: 'PUT',
    path: '/channels/:channel_id/permissions/:overwrite_id',
    rule: 'write',
    handler: async (req) => {
      const { channel_id, overwrite_id } = req.params;
      const guildId = await guildOfChannel(req);
      await req.ctx.community.channels.editOverwrite(
        req.user.id,
        guildId,
        channel_id!,
        overwrite_id!,
        req.body,
        req.reason,
      );
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/permissions/:overwrite_id',
    rule: 'write',
    handler: async (req) => {
      const { channel_id, overwrite_id } = req.params;
      const guildId = await guildOfChannel(req);
      await req.ctx.community.channels.deleteOverwrite(req.user.id, guildId, channel_id!, overwrite_id!, req.reason);
    },
  },
];
