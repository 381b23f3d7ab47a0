import { type SerializedMessage, serializeMember } from '@concord/gateway-server/serialize';
import { idFromTimestamp } from '@concord/snowflake';
import type { ListQuery, StoredMessage } from '@concord/storage-adapters';
import type { APIAttachment } from 'discord-api-types/v10';
import { AuditLogEvent, MessageFlags, MessageType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError, SlowmodeError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { assertPermissions } from '../permissions/assertPermissions.js';
import { isThread } from '../state/channelKinds.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { validateMessageContent } from '../validation/validateMessageContent.js';
import { filterMessage, reportFiltered } from './filterMessage.js';
import { dispatchMessageEvent, recordLastMessage } from './messageEvents.js';
import { contentExtra, type MessageExtra, messageWire } from './messageWire.js';
import { refuseBlockedDm } from './refuseBlockedDm.js';
import { type ResolvedChannel, resolveChannel } from './resolveChannel.js';
import { resolveMentions } from './resolveMentions.js';

/** Messages older than this cannot be bulk deleted (Discord's 14 days). */
export const BULK_DELETE_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;

/** What `create` takes besides the JSON body: files already stored as attachments (multipart uploads). */
export interface CreateMessageOptions {
  attachments?: APIAttachment[];
}

/**
 * Messages in guild channels, threads and DMs: send (with replies, mentions as `allowed_mentions` and the author's
 * permissions allow, embeds validated to Discord's limits, attachments), read, list, edit, delete, bulk delete. Every
 * change dispatches MESSAGE_CREATE/UPDATE/DELETE/DELETE_BULK to those who can view the channel (DM recipients for DMs).
 * Pins and reactions are `PinService` and `ReactionService`.
 */
export class MessageService {
  constructor(private readonly ctx: CommunityContext) {}

  /** `POST /channels/{id}/messages`. */
  async create(
    actorId: string,
    channelId: string,
    body: unknown,
    options: CreateMessageOptions = {},
  ): Promise<SerializedMessage> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    const attachments = options.attachments ?? [];
    const errors = new FormErrors();
    const author = await ctx.users.get(actorId);
    if (!author) throw new UnknownEntityError('user');
    // Only an application sends components: a bot user here (its webhooks and interactions have their own paths).
    const content = validateMessageContent(body, {
      files: attachments.length,
      errors,
      components: author.bot === true,
    });
    const source = body as Record<string, unknown>;
    let reference: { message_id: string; channel_id: string; guild_id?: string } | undefined;
    const ref = checkObject(source.message_reference, errors, ['message_reference']);
    if (ref) {
      const messageId = checkSnowflake(ref.message_id, errors, ['message_reference', 'message_id']);
      if (messageId !== undefined)
        reference = {
          message_id: messageId,
          channel_id: channelId,
          ...(target.guildId ? { guild_id: target.guildId } : {}),
        };
    }
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const send =
      target.channel.type !== undefined && isThread(target.channel.type) ? P.SendMessagesInThreads : P.SendMessages;
    let required = send;
    if (content.tts === true) required |= P.SendTTSMessages;
    if (attachments.length > 0) required |= P.AttachFiles;
    if (reference) required |= P.ReadMessageHistory;
    assertPermissions(target.permissions, required);
    if (target.state && isThread(target.channel.type))
      await ctx.threads.touched(actorId, target.state, target.channel, target.permissions);
    await this.#slowmode(actorId, target);
    await refuseBlockedDm(ctx, actorId, target);
    const sent = content.content ?? '';
    const filtered = await filterMessage(ctx, { authorId: actorId, channelId, guildId: target.guildId, content: sent });
    let referenced: SerializedMessage | null | undefined;
    if (reference) {
      const replied = await ctx.messages.get(channelId, reference.message_id);
      if (!replied || replied.deleted) throw new InvalidFormBodyError(unknownReply());
      referenced = this.#wire(target, replied);
    }
    const mentions = await resolveMentions(ctx, target, filtered.content, content.allowed_mentions, referenced ?? null);
    const extra: MessageExtra = {
      ...contentExtra(author, mentions, content, attachments),
      ...(content.nonce !== undefined ? { nonce: content.nonce } : {}),
      ...(reference ? { message_reference: { type: 0, ...reference } } : {}),
    };
    const stored = await ctx.messages.create({
      id: ctx.nextId(),
      channelId,
      guildId: target.guildId,
      authorId: actorId,
      content: filtered.content,
      type: reference ? MessageType.Reply : MessageType.Default,
      // EPHEMERAL means nothing outside an interaction response: a channel message never carries it.
      flags: (content.flags ?? 0) & (MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications),
      extra: extra as Record<string, unknown>,
    });
    const wire = this.#wire(target, stored, referenced);
    // Stored, so dispatched at once; the channel's last_message_id after (see recordLastMessage).
    dispatchMessageEvent(this.ctx, target, 'MESSAGE_CREATE', wire);
    await recordLastMessage(ctx, target, stored.id);
    await reportFiltered(
      ctx,
      filtered,
      { id: stored.id, channelId, guildId: target.guildId, authorId: actorId, content: filtered.content },
      sent,
    );
    return wire;
  }

  /**
   * `POST /channels/{id}/typing`: SEND_MESSAGES (SEND_MESSAGES_IN_THREADS in a thread); TYPING_START to those who can
   * view the channel (DM recipients for a DM), with the typer's member in a guild.
   */
  async typing(actorId: string, channelId: string): Promise<void> {
    const target = await resolveChannel(this.ctx, actorId, channelId);
    assertPermissions(target.permissions, isThread(target.channel.type) ? P.SendMessagesInThreads : P.SendMessages);
    const member = target.state?.members.get(actorId)?.data;
    const data = {
      channel_id: channelId,
      user_id: actorId,
      timestamp: Math.floor(this.ctx.now() / 1000),
      ...(target.guildId !== null ? { guild_id: target.guildId } : {}),
      ...(member && target.guildId !== null ? { member: serializeMember(member) } : {}),
    };
    const gateway = this.ctx.gateway();
    if (target.guildId !== null) gateway?.dispatchToChannel(target.guildId, channelId, 'TYPING_START', data as never);
    else
      gateway?.dispatchToUsers(
        (target.channel.recipient_ids ?? []).filter((id) => id !== actorId),
        'TYPING_START',
        data as never,
      );
  }

  /** `GET /channels/{id}/messages/{message}`: READ_MESSAGE_HISTORY. */
  async get(actorId: string, channelId: string, messageId: string): Promise<SerializedMessage> {
    const target = await resolveChannel(this.ctx, actorId, channelId);
    assertPermissions(target.permissions, P.ReadMessageHistory);
    const message = await this.#live(channelId, messageId);
    return this.#withReactions(actorId, target, message, await this.#referenced(target, [message]));
  }

  /** `GET /channels/{id}/messages?before|after|around&limit`: READ_MESSAGE_HISTORY; newest first, as Discord. */
  async list(actorId: string, channelId: string, query: ListQuery = {}): Promise<SerializedMessage[]> {
    const target = await resolveChannel(this.ctx, actorId, channelId);
    if ((target.permissions & P.ReadMessageHistory) === 0n) return [];
    const messages = await this.ctx.messages.list(channelId, query);
    const referenced = await this.#referenced(target, messages);
    return Promise.all(messages.map((m) => this.#withReactions(actorId, target, m, referenced)));
  }

  /** `PATCH /channels/{id}/messages/{message}`: the author edits content, embeds and allowed mentions. */
  async edit(actorId: string, channelId: string, messageId: string, body: unknown): Promise<SerializedMessage> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    const message = await this.#live(channelId, messageId);
    if (message.authorId !== actorId) throw new CommunityError('otherAuthor');
    const author = await ctx.users.get(actorId);
    const extraNow = (message.extra ?? {}) as MessageExtra;
    const content = validateMessageContent(body, {
      files: (extraNow.attachments ?? []).length,
      components: author?.bot === true,
      editing: {
        content: message.content,
        embeds: (extraNow.embeds ?? []).length,
        components: (extraNow.components ?? []).length,
      },
    });
    const filtered =
      content.content !== undefined
        ? await filterMessage(ctx, {
            authorId: actorId,
            channelId,
            guildId: target.guildId,
            content: content.content,
            editOf: messageId,
          })
        : null;
    const extra: MessageExtra = { ...((message.extra ?? {}) as MessageExtra) };
    if (content.embeds !== undefined) extra.embeds = content.embeds;
    if (content.components !== undefined) extra.components = content.components;
    if (filtered) {
      const mentions = await resolveMentions(ctx, target, filtered.content, content.allowed_mentions, null);
      Object.assign(extra, {
        mentions: mentions.users,
        mention_roles: mentions.roles,
        mention_everyone: mentions.everyone,
      });
    }
    const edited = await ctx.messages.edit(channelId, messageId, {
      ...(filtered ? { content: filtered.content } : {}),
      // An edit may set or clear SUPPRESS_EMBEDS only; the other flags stay as they are.
      ...(content.flags !== undefined
        ? { flags: (message.flags & ~MessageFlags.SuppressEmbeds) | (content.flags & MessageFlags.SuppressEmbeds) }
        : {}),
      extra: extra as Record<string, unknown>,
      editedAt: ctx.now(),
    });
    const wire = await this.#withReactions(actorId, target, edited);
    dispatchMessageEvent(this.ctx, target, 'MESSAGE_UPDATE', wire);
    if (filtered && content.content !== undefined) {
      const stored = {
        id: messageId,
        channelId,
        guildId: target.guildId,
        authorId: actorId,
        content: filtered.content,
      };
      await reportFiltered(ctx, filtered, stored, content.content);
    }
    return wire;
  }

  /** `DELETE /channels/{id}/messages/{message}`: the author, or MANAGE_MESSAGES in a guild channel. */
  async delete(actorId: string, channelId: string, messageId: string, reason?: string): Promise<void> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    const message = await this.#live(channelId, messageId);
    if (message.authorId !== actorId)
      assertPermissions(target.guildId === null ? 0n : target.permissions, P.ManageMessages);
    await ctx.messages.delete(channelId, messageId);
    dispatchMessageEvent(this.ctx, target, 'MESSAGE_DELETE', {
      id: messageId,
      channel_id: channelId,
      ...(target.guildId ? { guild_id: target.guildId } : {}),
    });
    if (target.guildId !== null && message.authorId !== actorId) {
      await ctx.audit.record({
        guildId: target.guildId,
        userId: actorId,
        targetId: message.authorId,
        actionType: AuditLogEvent.MessageDelete,
        options: { channel_id: channelId, count: '1' },
        reason,
      });
    }
  }

  /** `POST /channels/{id}/messages/bulk-delete` `{ messages }`: 2–100 ids, none older than 14 days; MANAGE_MESSAGES. */
  async bulkDelete(actorId: string, channelId: string, body: unknown, reason?: string): Promise<void> {
    const { ctx } = this;
    const target = await resolveChannel(ctx, actorId, channelId);
    if (target.guildId === null) throw new CommunityError('wrongChannelType');
    assertPermissions(target.permissions, P.ManageMessages);
    const errors = new FormErrors();
    const source = checkObject(body, errors, []);
    const raw = source?.messages;
    if (!Array.isArray(raw) || raw.length < 2 || raw.length > 100) {
      errors.add(['messages'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 100 in length.');
      throw new InvalidFormBodyError(errors.toJSON());
    }
    const ids = [
      ...new Set(
        raw.map((v, i) => checkSnowflake(v, errors, ['messages', i])).filter((id): id is string => id !== undefined),
      ),
    ];
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    const oldest = idFromTimestamp(Math.max(ctx.now() - BULK_DELETE_MAX_AGE_MS, 1_420_070_400_000));
    if (ids.some((id) => BigInt(id) < oldest)) throw new CommunityError('bulkDeleteTooOld');
    await ctx.messages.bulkDelete(channelId, ids);
    dispatchMessageEvent(this.ctx, target, 'MESSAGE_DELETE_BULK', {
      ids,
      channel_id: channelId,
      guild_id: target.guildId,
    });
    await ctx.audit.record({
      guildId: target.guildId,
      userId: actorId,
      targetId: channelId,
      actionType: AuditLogEvent.MessageBulkDelete,
      options: { count: String(ids.length) },
      reason,
    });
  }

  /**
   * Slowmode: with `rate_limit_per_user` set, a member without MANAGE_MESSAGES or MANAGE_CHANNELS posts once per that
   * many seconds (SlowmodeError, Discord's 429 with code 20016). The last post time is kept in the entity store,
   * updated atomically, so every node enforces the same window.
   */
  async #slowmode(actorId: string, target: ResolvedChannel): Promise<void> {
    const seconds = Number(target.channel.rate_limit_per_user ?? 0);
    if (!(seconds > 0) || target.guildId === null) return;
    if ((target.permissions & (P.ManageMessages | P.ManageChannels)) !== 0n) return;
    const { ctx } = this;
    const now = ctx.now();
    let wait = 0;
    await ctx.repo.update('slowmode', target.channel.id, actorId, (current) => {
      wait = current ? current.last_at + seconds * 1000 - now : 0;
      return wait > 0 ? undefined : { value: { last_at: now } };
    });
    if (wait > 0) throw new SlowmodeError(Math.ceil(wait / 100) / 10);
  }

  /** The message, if it exists and is not deleted (10008 otherwise). */
  async #live(channelId: string, messageId: string): Promise<StoredMessage> {
    const message = await this.ctx.messages.get(channelId, messageId);
    if (!message || message.deleted) throw new UnknownEntityError('message');
    return message;
  }

  #wire(target: ResolvedChannel, message: StoredMessage, referenced?: SerializedMessage | null): SerializedMessage {
    const member = target.state?.members.get(message.authorId)?.data;
    return messageWire(message, { ...(member ? { member } : {}), ...(referenced !== undefined ? { referenced } : {}) });
  }

  async #withReactions(
    viewerId: string,
    target: ResolvedChannel,
    message: StoredMessage,
    referenced?: Map<string, SerializedMessage | null>,
  ): Promise<SerializedMessage> {
    const member = target.state?.members.get(message.authorId)?.data;
    const reactions = await this.ctx.reactions.summary(viewerId, message.id);
    const replyTo = (message.extra as MessageExtra | null)?.message_reference?.message_id;
    const replied = replyTo !== undefined ? referenced?.get(replyTo) : undefined;
    return messageWire(message, {
      ...(member ? { member } : {}),
      ...(replyTo !== undefined && replied !== undefined ? { referenced: replied } : {}),
      reactions,
    });
  }

  /**
   * The messages replies among `messages` point at, as Discord includes them in reads (`referenced_message`: the
   * message, or null when it was deleted). Found in the page itself first, one store read each otherwise.
   */
  async #referenced(
    target: ResolvedChannel,
    messages: StoredMessage[],
  ): Promise<Map<string, SerializedMessage | null>> {
    const out = new Map<string, SerializedMessage | null>();
    const inPage = new Map(messages.map((m) => [m.id, m]));
    for (const message of messages) {
      const id = (message.extra as MessageExtra | null)?.message_reference?.message_id;
      if (id === undefined || out.has(id)) continue;
      const replied = inPage.get(id) ?? (await this.ctx.messages.get(target.channel.id, id));
      out.set(id, replied && !replied.deleted ? this.#wire(target, replied) : null);
    }
    return out;
  }
}

function unknownReply() {
  const errors = new FormErrors();
  errors.add(['message_reference'], 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
  return errors.toJSON();
}
