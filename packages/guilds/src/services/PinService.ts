import { discordTimestamp, type SerializedMessage } from '@concord/gateway-server/serialize';
import { AuditLogEvent, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { ChannelRecord } from '../model/records.js';
import { assertPermissions } from '../permissions/assertPermissions.js';
import { MissingPermissionsError } from '../permissions/PermissionError.js';
import { put, remove } from '../store/CommunityRepository.js';
import { messageWire } from './messageWire.js';
import { type ResolvedChannel, resolveChannel } from './resolveChannel.js';

/** Most pinned messages per channel (Discord's limit). */
export const MAX_PINS = 50;

/**
 * Pins: `PUT/DELETE /channels/{id}/pins/{message}` (PIN_MESSAGES, or MANAGE_MESSAGES which Discord still accepts)
 * and `GET /channels/{id}/pins`; each change dispatches CHANNEL_PINS_UPDATE with the newest pin's time.
 */
export class PinService {
  constructor(private readonly ctx: CommunityContext) {}

  async pin(actorId: string, channelId: string, messageId: string, reason?: string): Promise<void> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    this.#mayPin(target);
    const message = await ctx.messages.get(channelId, messageId);
    if (!message || message.deleted) throw new UnknownEntityError('message');
    if (message.pinned) return;
    if ((await ctx.repo.count('pin', channelId)) >= MAX_PINS) throw new CommunityError('maxPins');
    const pinnedAt = new Date(ctx.now()).toISOString();
    await ctx.repo.write([put('pin', channelId, messageId, { message_id: messageId, pinned_at: pinnedAt })]);
    await ctx.messages.edit(channelId, messageId, { pinned: true });
    await this.#changed(target, pinnedAt);
    if (target.guildId !== null) {
      await ctx.audit.record({
        guildId: target.guildId,
        userId: actorId,
        targetId: message.authorId,
        actionType: AuditLogEvent.MessagePin,
        options: { channel_id: channelId, message_id: messageId },
        reason,
      });
    }
  }

  async unpin(actorId: string, channelId: string, messageId: string, reason?: string): Promise<void> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    this.#mayPin(target);
    const message = await ctx.messages.get(channelId, messageId);
    if (!message || message.deleted) throw new UnknownEntityError('message');
    if (!(await ctx.repo.get('pin', channelId, messageId))) return;
    await ctx.repo.write([remove('pin', channelId, messageId)]);
    await ctx.messages.edit(channelId, messageId, { pinned: false });
    const newest = await ctx.repo.list('pin', channelId, { limit: MAX_PINS });
    const last =
      newest
        .map((p) => p.value.pinned_at)
        .sort()
        .at(-1) ?? null;
    await this.#changed(target, last);
    if (target.guildId !== null) {
      await ctx.audit.record({
        guildId: target.guildId,
        userId: actorId,
        targetId: message.authorId,
        actionType: AuditLogEvent.MessageUnpin,
        options: { channel_id: channelId, message_id: messageId },
        reason,
      });
    }
  }

  /** `GET /channels/{id}/pins` (the older route): every pinned message, newest pin first. */
  async list(actorId: string, channelId: string): Promise<SerializedMessage[]> {
    return (await this.page(actorId, channelId, { limit: MAX_PINS })).items.map((item) => item.message);
  }

  /**
   * `GET /channels/{id}/messages/pins?before&limit` (the current route): pins newest first with their time, `before`
   * a pin time (ISO), `limit` 1–50, and whether older ones remain.
   */
  async page(
    actorId: string,
    channelId: string,
    query: { before?: string; limit?: number } = {},
  ): Promise<{ items: { pinned_at: string; message: SerializedMessage }[]; has_more: boolean }> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    if ((target.permissions & P.ReadMessageHistory) === 0n) return { items: [], has_more: false };
    const limit = Math.min(Math.max(query.limit ?? MAX_PINS, 1), MAX_PINS);
    const before = query.before === undefined ? Number.POSITIVE_INFINITY : Date.parse(query.before);
    const pins = (await ctx.repo.list('pin', channelId, { limit: MAX_PINS * 2 }))
      .filter((pin) => Date.parse(pin.value.pinned_at) < before)
      .sort((a, b) => b.value.pinned_at.localeCompare(a.value.pinned_at));
    const items: { pinned_at: string; message: SerializedMessage }[] = [];
    for (const pin of pins) {
      if (items.length >= limit) break;
      const message = await ctx.messages.get(channelId, pin.id);
      if (!message || message.deleted) continue;
      const member = target.state?.members.get(message.authorId)?.data;
      items.push({
        pinned_at: discordTimestamp(pin.value.pinned_at),
        message: messageWire(message, member ? { member } : {}),
      });
    }
    return { items, has_more: pins.length > items.length };
  }

  #mayPin(target: ResolvedChannel): void {
    if ((target.permissions & (P.PinMessages | P.ManageMessages)) === 0n)
      throw new MissingPermissionsError(P.PinMessages);
    assertPermissions(target.permissions, P.ReadMessageHistory);
  }

  /**
   * A guild channel's `last_pin_timestamp` follows its pins (GET /channels/{id} answers what CHANNEL_PINS_UPDATE said,
   * as on Discord), then CHANNEL_PINS_UPDATE is dispatched.
   */
  async #changed(target: ResolvedChannel, lastPin: string | null): Promise<void> {
    const { ctx } = this;
    if (target.guildId !== null) {
      const current = target.state.channels.get(target.channel.id) ?? target.channel;
      const next: ChannelRecord = { ...current, last_pin_timestamp: lastPin };
      await ctx.repo.write([put('channel', target.guildId, next.id, next)]);
      await ctx.commit([{ type: 'channel', guildId: target.guildId, channel: next }]);
    }
    const gateway = ctx.gateway();
    if (!gateway) return;
    const data = {
      channel_id: target.channel.id,
      last_pin_timestamp: lastPin === null ? null : discordTimestamp(lastPin),
      ...(target.guildId ? { guild_id: target.guildId } : {}),
    };
    if (target.guildId !== null)
      gateway.dispatchToChannel(target.guildId, target.channel.id, 'CHANNEL_PINS_UPDATE', data);
    else gateway.dispatchToUsers(target.channel.recipient_ids ?? [], 'CHANNEL_PINS_UPDATE', data);
  }
}
