import { CommunityError, UnknownEntityError } from '@concord/guilds';
import type { APIChannel } from 'discord-api-types/v10';
import type { RestRequest } from '../pipeline/RouteDefinition.js';

/** Where a `/channels/{id}` route's channel is: the guild that has it, or the caller's DM it is. */
export type LocatedChannel = { guildId: string; dm?: undefined } | { guildId: null; dm: APIChannel };

/**
 * The guild of a channel (`Community.locateChannel`: memory for loaded guilds, one store read otherwise), or the DM
 * as the caller sees it (50001 when they are not a recipient); 10003 Unknown Channel when there is no such channel.
 * Whether the caller may see a guild channel is the service's check (50001 there too).
 */
export async function locateChannel(req: RestRequest, channelId: string): Promise<LocatedChannel> {
  const { community } = req.ctx;
  const guildId = await community.locateChannel(channelId);
  if (guildId === undefined) throw new UnknownEntityError('channel');
  if (guildId !== null) return { guildId };
  return { guildId: null, dm: await community.dms.get(req.user.id, channelId) };
}

/** The guild of a `/channels/{id}` route's guild channel; 50024 for a DM, which guild-channel routes cannot act on. */
export async function guildOfChannel(req: RestRequest, channelId: string = req.params.channel_id!): Promise<string> {
  const located = await locateChannel(req, channelId);
  if (located.guildId === null) throw new CommunityError('wrongChannelType');
  return located.guildId;
}
