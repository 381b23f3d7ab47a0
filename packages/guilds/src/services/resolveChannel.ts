import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { type ChannelRecord, DM_PARTITION } from '../model/records.js';
import { MissingAccessError } from '../permissions/PermissionError.js';
import type { GuildState } from '../state/GuildState.js';
import { requireChannel } from './access.js';

/** What a participant may do in a DM or group DM (no moderation: nobody manages someone else's messages there). */
export const dmPermissions =
  P.ViewChannel |
  P.SendMessages |
  P.ReadMessageHistory |
  P.AddReactions |
  P.AttachFiles |
  P.EmbedLinks |
  P.UseExternalEmojis |
  P.PinMessages;

/** A channel a route names, with where it lives and what the actor may do in it. */
export type ResolvedChannel =
  | { guildId: string; state: GuildState; channel: ChannelRecord; permissions: bigint }
  | { guildId: null; state: null; channel: ChannelRecord; permissions: bigint };

/**
 * The channel of a `/channels/{id}/…` route: 10003 when there is none; 50001 when the actor is not a member of its
 * guild, cannot view it, or is not a recipient of the DM.
 */
export async function resolveChannel(
  ctx: CommunityContext,
  actorId: string,
  channelId: string,
): Promise<ResolvedChannel> {
  const guildId = await ctx.guilds.locateChannel(channelId);
  if (guildId === undefined) throw new UnknownEntityError('channel');
  if (guildId === null) {
    const channel = await ctx.repo.get('channel', DM_PARTITION, channelId);
    if (!channel) throw new UnknownEntityError('channel');
    if (!(channel.recipient_ids ?? []).includes(actorId)) throw new MissingAccessError();
    return { guildId: null, state: null, channel, permissions: dmPermissions };
  }
  const state = await ctx.guilds.require(guildId);
  const channel = requireChannel(state, channelId);
  const permissions = state.permissionsOf(actorId, channelId);
  if (permissions === null || (permissions & P.ViewChannel) === 0n) throw new MissingAccessError();
  return { guildId, state, channel, permissions };
}
