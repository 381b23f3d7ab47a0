import { ChannelType } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import type { ResolvedChannel } from './resolveChannel.js';

/**
 * A DM between two users where either blocked the other is refused with Discord's 50007 ("Cannot send messages to
 * this user"), whoever writes. Group DMs are not checked (Discord lets a blocked user stay in a group).
 */
export async function refuseBlockedDm(ctx: CommunityContext, actorId: string, target: ResolvedChannel): Promise<void> {
  if (target.guildId !== null || target.channel.type !== ChannelType.DM) return;
  const other = (target.channel.recipient_ids ?? []).find((id) => id !== actorId);
  if (other === undefined) return;
  const [mine, theirs] = await Promise.all([
    ctx.repo.get('relationship', actorId, other),
    ctx.repo.get('relationship', other, actorId),
  ]);
  if (mine !== null || theirs !== null) throw new CommunityError('cannotMessageUser');
}
