import { serializeMember, serializeUser } from '@concord/gateway-server/serialize';
import type { APIReaction, APIUser } from 'discord-api-types/v10';
import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { ReactionEmojiRecord } from '../model/records.js';
import { assertPermissions } from '../permissions/assertPermissions.js';
import { put, remove, removeAll } from '../store/CommunityRepository.js';
import { type ResolvedChannel, resolveChannel } from './resolveChannel.js';

/** Most distinct emoji on one message (Discord's limit). */
export const MAX_REACTION_EMOJI = 20;

/** A reaction's emoji as a route names it: `name:id` (or `a:name:id`) for custom emoji, the character(s) otherwise. */
export interface ParsedEmoji {
  key: string;
  emoji: ReactionEmojiRecord['emoji'];
}

/**
 * Parses the `{emoji}` path segment (already URL-decoded): custom `name:id` / `a:name:id`, or a unicode emoji (any
 * short text without `:` or spaces). Null when malformed (Discord answers 10014 Unknown Emoji).
 */
export function parseEmoji(text: string): ParsedEmoji | null {
  const custom = /^(a:)?([\w~-]{1,32}):(\d{1,20})$/.exec(text);
  if (custom)
    return { key: custom[3]!, emoji: { id: custom[3]!, name: custom[2]!, ...(custom[1] ? { animated: true } : {}) } };
  if (text.length === 0 || text.length > 32 || /[\s:<>@#]/.test(text)) return null;
  return { key: text, emoji: { id: null, name: text } };
}

/**
 * Reactions: add and remove one's own, remove someone else's, clear all or one emoji (MANAGE_MESSAGES), list who
 * reacted. Stored as one record per user and emoji plus a count per emoji (EntityKinds.ts); the message's `reactions`
 * are built per viewer (`me`).
 */
export class ReactionService {
  constructor(private readonly ctx: CommunityContext) {}

  /** `PUT /channels/{c}/messages/{m}/reactions/{emoji}/@me`: READ_MESSAGE_HISTORY, and ADD_REACTIONS for a new emoji. */
  async add(actorId: string, channelId: string, messageId: string, emojiText: string): Promise<void> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    assertPermissions(target.permissions, P.ReadMessageHistory);
    const message = await this.#message(channelId, messageId);
    const emoji = await this.#emoji(target, emojiText);
    const partition = `${messageId}:${emoji.key}`;
    if (await ctx.repo.get('reaction', partition, actorId)) return;
    const current = await ctx.repo.get('reaction-emoji', messageId, emoji.key);
    if (!current) {
      assertPermissions(target.permissions, P.AddReactions);
      if ((await ctx.repo.count('reaction-emoji', messageId)) >= MAX_REACTION_EMOJI)
        throw new CommunityError('maxReactions');
    }
    await ctx.repo.write([put('reaction', partition, actorId, { user_id: actorId }, actorId)]);
    await ctx.repo.update('reaction-emoji', messageId, emoji.key, (now) => ({
      value: now ? { ...now, count: now.count + 1 } : { emoji: emoji.emoji, count: 1, first_at: ctx.now() },
    }));
    const member = target.state?.members.get(actorId)?.data;
    this.#dispatch(target, 'MESSAGE_REACTION_ADD', {
      user_id: actorId,
      channel_id: channelId,
      message_id: messageId,
      emoji: emoji.emoji,
      burst: false,
      type: 0,
      ...(target.guildId ? { guild_id: target.guildId } : {}),
      ...(member && target.guildId ? { member: serializeMember(member) } : {}),
      message_author_id: message.authorId,
    });
  }

  /** `DELETE …/reactions/{emoji}/@me` and `DELETE …/reactions/{emoji}/{user}` (someone else's: MANAGE_MESSAGES). */
  async remove(
    actorId: string,
    channelId: string,
    messageId: string,
    emojiText: string,
    userId: string = actorId,
  ): Promise<void> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    if (userId !== actorId) assertPermissions(target.guildId === null ? 0n : target.permissions, P.ManageMessages);
    await this.#message(channelId, messageId);
    const emoji = await this.#emoji(target, emojiText);
    const partition = `${messageId}:${emoji.key}`;
    if (!(await ctx.repo.get('reaction', partition, userId))) return;
    await ctx.repo.write([remove('reaction', partition, userId)]);
    await ctx.repo.update('reaction-emoji', messageId, emoji.key, (now) =>
      now && now.count > 1 ? { value: { ...now, count: now.count - 1 } } : null,
    );
    this.#dispatch(target, 'MESSAGE_REACTION_REMOVE', {
      user_id: userId,
      channel_id: channelId,
      message_id: messageId,
      emoji: emoji.emoji,
      burst: false,
      type: 0,
      ...(target.guildId ? { guild_id: target.guildId } : {}),
    });
  }

  /** `DELETE …/reactions` (every emoji) or `DELETE …/reactions/{emoji}` (one): MANAGE_MESSAGES. */
  async clear(actorId: string, channelId: string, messageId: string, emojiText?: string): Promise<void> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    assertPermissions(target.guildId === null ? 0n : target.permissions, P.ManageMessages);
    await this.#message(channelId, messageId);
    const guild = target.guildId ? { guild_id: target.guildId } : {};
    if (emojiText !== undefined) {
      const emoji = await this.#emoji(target, emojiText);
      await ctx.repo.write([
        removeAll('reaction', `${messageId}:${emoji.key}`),
        remove('reaction-emoji', messageId, emoji.key),
      ]);
      this.#dispatch(target, 'MESSAGE_REACTION_REMOVE_EMOJI', {
        channel_id: channelId,
        message_id: messageId,
        emoji: emoji.emoji,
        ...guild,
      });
      return;
    }
    const emojis = await ctx.repo.list('reaction-emoji', messageId, { limit: MAX_REACTION_EMOJI * 5 });
    await ctx.repo.write([
      ...emojis.map((e) => removeAll('reaction', `${messageId}:${e.id}`)),
      removeAll('reaction-emoji', messageId),
    ]);
    this.#dispatch(target, 'MESSAGE_REACTION_REMOVE_ALL', { channel_id: channelId, message_id: messageId, ...guild });
  }

  /** `GET …/reactions/{emoji}?after&limit`: the users who reacted, by id. */
  async users(
    actorId: string,
    channelId: string,
    messageId: string,
    emojiText: string,
    query: { after?: string; limit?: number } = {},
  ): Promise<APIUser[]> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    assertPermissions(target.permissions, P.ReadMessageHistory);
    await this.#message(channelId, messageId);
    const emoji = await this.#emoji(target, emojiText);
    const limit = Math.min(Math.max(query.limit ?? 25, 1), 100);
    const page = await ctx.repo.list('reaction', `${messageId}:${emoji.key}`, {
      limit,
      ...(query.after ? { after: query.after } : {}),
    });
    const users = await ctx.users.getMany(page.map((r) => r.id));
    return page.map((r) => serializeUser(users.get(r.id) ?? { id: r.id, username: 'Deleted User' }));
  }

  /** A message's `reactions` as `viewerId` sees them, in the order they were first added. */
  async summary(viewerId: string, messageId: string): Promise<APIReaction[]> {
    const { ctx } = this;
    const emojis = await ctx.repo.list('reaction-emoji', messageId, { limit: MAX_REACTION_EMOJI * 5 });
    const sorted = emojis.map((e) => ({ key: e.id, ...e.value })).sort((a, b) => a.first_at - b.first_at);
    return Promise.all(
      sorted.map(async (e) => {
        const me = (await ctx.repo.get('reaction', `${messageId}:${e.key}`, viewerId)) !== null;
        return {
          count: e.count,
          count_details: { burst: 0, normal: e.count },
          me,
          me_burst: false,
          burst_colors: [],
          emoji: e.emoji,
        } as APIReaction;
      }),
    );
  }

  async #message(channelId: string, messageId: string) {
    const message = await this.ctx.messages.get(channelId, messageId);
    if (!message || message.deleted) throw new UnknownEntityError('message');
    return message;
  }

  /**
   * The route's emoji: malformed, or a custom emoji no guild has, is 10014 Unknown Emoji; another guild's custom emoji
   * needs USE_EXTERNAL_EMOJIS.
   */
  async #emoji(target: ResolvedChannel, text: string): Promise<ParsedEmoji> {
    const emoji = parseEmoji(text);
    if (!emoji) throw new UnknownEntityError('emoji');
    const id = emoji.emoji.id;
    if (id !== null && !target.state?.emojis.has(id)) {
      if (!(await this.ctx.repo.find('emoji', id))) throw new UnknownEntityError('emoji');
      assertPermissions(target.permissions, P.UseExternalEmojis);
    }
    return emoji;
  }

  #dispatch(
    target: ResolvedChannel,
    event:
      | 'MESSAGE_REACTION_ADD'
      | 'MESSAGE_REACTION_REMOVE'
      | 'MESSAGE_REACTION_REMOVE_ALL'
      | 'MESSAGE_REACTION_REMOVE_EMOJI',
    data: unknown,
  ): void {
    const gateway = this.ctx.gateway();
    if (!gateway) return;
    if (target.guildId !== null) gateway.dispatchToChannel(target.guildId, target.channel.id, event, data as never);
    else gateway.dispatchToUsers(target.channel.recipient_ids ?? [], event, data as never);
  }
}
