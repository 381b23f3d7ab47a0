import type { CommunityContext } from '../community/CommunityContext.js';
import { type ChannelRecord, DM_PARTITION } from '../model/records.js';
import { isThread } from '../state/channelKinds.js';
import { put } from '../store/CommunityRepository.js';
import type { ResolvedChannel } from './resolveChannel.js';

/** The message dispatches every sender of messages (members, webhooks, interactions) publishes. */
export type MessageEvent = 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' | 'MESSAGE_DELETE' | 'MESSAGE_DELETE_BULK';

/** A message event to those who can view the channel (the recipients of a DM). */
export function dispatchMessageEvent(
  ctx: CommunityContext,
  target: ResolvedChannel,
  event: MessageEvent,
  data: unknown,
): void {
  const gateway = ctx.gateway();
  if (!gateway) return;
  if (target.guildId !== null) gateway.dispatchToChannel(target.guildId, target.channel.id, event, data as never);
  else gateway.dispatchToUsers(target.channel.recipient_ids ?? [], event, data as never);
}

/**
 * The channel's `last_message_id` (and a thread's counts) follow each new message; nothing is dispatched for it. Run
 * right after the message's MESSAGE_CREATE, not before: the message is stored by then (what its recipients may fetch),
 * and this second store write plus the cache commit no longer sit between the POST and the first recipient's frame
 * (issue #19: POST → first delivery; ~0.1 ms of the assembled server's path in examples/chat-server/bench/assembled.ts).
 * A failed write still fails the request, as before. With the synchronous stores (in memory, SQLite) nothing can run in
 * between: the write and the commit finish in the same turn as the dispatch.
 */
export async function recordLastMessage(
  ctx: CommunityContext,
  target: ResolvedChannel,
  messageId: string,
): Promise<void> {
  if (target.guildId === null) {
    await ctx.repo.update('channel', DM_PARTITION, target.channel.id, (c) =>
      c ? { value: { ...c, last_message_id: messageId } } : undefined,
    );
    return;
  }
  const current = target.state.channels.get(target.channel.id) ?? target.channel;
  const next: ChannelRecord = { ...current, last_message_id: messageId };
  if (isThread(current.type)) {
    next.message_count = Number(current.message_count ?? 0) + 1;
    next.total_message_sent = Number(current.total_message_sent ?? 0) + 1;
  }
  await ctx.repo.write([put('channel', target.guildId, next.id, next)]);
  await ctx.commit([{ type: 'channel', guildId: target.guildId, channel: next }]);
}
