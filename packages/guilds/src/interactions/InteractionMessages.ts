import type { SerializedMessage } from '@concord/gateway-server/serialize';
import type { StoredMessage } from '@concord/storage-adapters';
import { MessageFlags, MessageType } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { InteractionRecord } from '../model/interactionRecords.js';
import { dispatchMessageEvent, type MessageEvent, recordLastMessage } from '../services/messageEvents.js';
import { contentExtra, type MessageExtra, messageWire } from '../services/messageWire.js';
import type { ResolvedChannel } from '../services/resolveChannel.js';
import { resolveMentions } from '../services/resolveMentions.js';
import { put, remove } from '../store/CommunityRepository.js';
import type { ResponseMessage } from './readCallback.js';

/** An interaction's message as `find` found it: `owner` is the interaction keeping it when ephemeral, else null. */
export interface FoundMessage {
  message: StoredMessage;
  owner: string | null;
}

/** A new interaction message: a response or follow-up, or the "thinking…" placeholder of a deferred response. */
export type NewInteractionMessage = { kind: 'message'; message: ResponseMessage } | { kind: 'loading'; flags: number };

/** The flags an application may set on its messages (the rest are Discord's own). */
const SETTABLE = MessageFlags.SuppressEmbeds | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;

/**
 * The messages of interactions: the response, its deferred placeholder (flags LOADING: "Bot is thinking…") and
 * follow-ups, by the application's bot with `webhook_id` = the application, `interaction_metadata` and the message
 * type of the interaction (20, 23, or 19 replying to a component's message). Ephemeral ones (flags 64) are kept as
 * `interaction-message` records — never in the channel's history — and dispatched to the invoker's sessions only.
 */
export class InteractionMessages {
  constructor(private readonly ctx: CommunityContext) {}

  async create(
    record: InteractionRecord,
    target: ResolvedChannel,
    input: NewInteractionMessage,
    followUpOf: string | null,
  ): Promise<SerializedMessage> {
    const { ctx } = this;
    const author = await ctx.users.get(record.application_id);
    if (!author) throw new UnknownEntityError('application');
    const content = input.kind === 'message' ? input.message.content : {};
    const requested = input.kind === 'message' ? (content.flags ?? 0) : input.flags;
    const ephemeral = (requested & MessageFlags.Ephemeral) !== 0;
    const flags =
      (requested & SETTABLE) |
      (ephemeral ? MessageFlags.Ephemeral : 0) |
      (input.kind === 'loading' ? MessageFlags.Loading : 0);
    const mentions = await resolveMentions(ctx, target, content.content ?? '', content.allowed_mentions, null);
    const metadata = followUpOf
      ? { ...record.metadata, original_response_message_id: followUpOf }
      : { ...record.metadata };
    const referenceId = record.message_type === MessageType.Reply ? record.message_id : null;
    const attachments = input.kind === 'message' ? input.message.attachments : [];
    const extra: MessageExtra = {
      ...contentExtra(author, mentions, content, attachments),
      webhook_id: record.application_id,
      application_id: record.application_id,
      interaction_metadata: metadata,
      interaction: { id: record.id, type: record.type, name: record.name, user: metadata.user },
      ...(referenceId
        ? {
            message_reference: {
              type: 0,
              message_id: referenceId,
              channel_id: record.channel_id,
              ...(record.guild_id ? { guild_id: record.guild_id } : {}),
            },
          }
        : {}),
    };
    const message: StoredMessage = {
      id: ctx.nextId(),
      channelId: record.channel_id,
      guildId: record.guild_id,
      authorId: record.application_id,
      content: content.content ?? '',
      type: record.message_type,
      flags,
      editedAt: null,
      deleted: false,
      pinned: false,
      extra: extra as Record<string, unknown>,
    };
    if (ephemeral) {
      await ctx.repo.write([put('interaction-message', record.id, message.id, this.#ephemeral(record, message))]);
      const wire = this.#wire(target, message);
      this.#toInvoker(record, 'MESSAGE_CREATE', wire);
      return wire;
    }
    const stored = await ctx.messages.create({
      id: message.id,
      channelId: message.channelId,
      guildId: message.guildId,
      authorId: message.authorId,
      content: message.content,
      type: message.type,
      flags: message.flags,
      extra: message.extra,
    });
    const wire = this.#wire(target, stored);
    // Stored, so dispatched at once; the channel's last_message_id after (see recordLastMessage).
    dispatchMessageEvent(ctx, target, 'MESSAGE_CREATE', wire);
    await recordLastMessage(ctx, target, stored.id);
    return wire;
  }

  /**
   * The message, ephemeral (kept with an interaction of this user: `owner` is that interaction) or in the channel
   * (`owner` null); 10008 when it is neither.
   */
  async find(record: Pick<InteractionRecord, 'user_id' | 'channel_id'>, messageId: string): Promise<FoundMessage> {
    const kept = await this.ctx.repo.find('interaction-message', messageId);
    if (kept) {
      if (kept.value.user_id !== record.user_id) throw new UnknownEntityError('message');
      return { message: kept.value.message as unknown as StoredMessage, owner: kept.partition };
    }
    const message = await this.ctx.messages.get(record.channel_id, messageId);
    if (!message || message.deleted) throw new UnknownEntityError('message');
    return { message, owner: null };
  }

  wire(target: ResolvedChannel, message: StoredMessage): SerializedMessage {
    return this.#wire(target, message);
  }

  /**
   * Edits an interaction's message (the response, a follow-up, or the component's message for types 6/7): what the
   * body sends replaces what the message had; a deferred placeholder stops being one.
   */
  async edit(
    record: InteractionRecord,
    target: ResolvedChannel,
    { message, owner }: FoundMessage,
    input: ResponseMessage,
  ): Promise<SerializedMessage> {
    const { ctx } = this;
    const content = input.content;
    const extra: MessageExtra = { ...((message.extra ?? {}) as MessageExtra) };
    if (content.embeds !== undefined) extra.embeds = content.embeds;
    if (content.components !== undefined) extra.components = content.components;
    if (input.attachments.length > 0) extra.attachments = [...(extra.attachments ?? []), ...input.attachments];
    if (content.content !== undefined) {
      const mentions = await resolveMentions(ctx, target, content.content, content.allowed_mentions, null);
      Object.assign(extra, {
        mentions: mentions.users,
        mention_roles: mentions.roles,
        mention_everyone: mentions.everyone,
      });
    }
    const flags =
      (message.flags & ~MessageFlags.Loading & ~SETTABLE) |
      ((content.flags ?? message.flags) & SETTABLE & ~MessageFlags.IsComponentsV2) |
      (message.flags & MessageFlags.IsComponentsV2);
    const patch = {
      ...(content.content !== undefined ? { content: content.content } : {}),
      flags,
      extra: extra as Record<string, unknown>,
      editedAt: ctx.now(),
    };
    if (owner !== null) {
      const next: StoredMessage = { ...message, ...patch };
      await ctx.repo.write([put('interaction-message', owner, message.id, this.#ephemeral(record, next))]);
      const wire = this.#wire(target, next);
      this.#toInvoker(record, 'MESSAGE_UPDATE', wire);
      return wire;
    }
    const edited = await ctx.messages.edit(record.channel_id, message.id, patch);
    const wire = this.#wire(target, edited);
    dispatchMessageEvent(ctx, target, 'MESSAGE_UPDATE', wire);
    return wire;
  }

  async delete(record: InteractionRecord, target: ResolvedChannel, { message, owner }: FoundMessage): Promise<void> {
    const { ctx } = this;
    const data = {
      id: message.id,
      channel_id: record.channel_id,
      ...(record.guild_id ? { guild_id: record.guild_id } : {}),
    };
    if (owner !== null) {
      await ctx.repo.write([remove('interaction-message', owner, message.id)]);
      this.#toInvoker(record, 'MESSAGE_DELETE', data);
      return;
    }
    await ctx.messages.delete(record.channel_id, message.id);
    dispatchMessageEvent(ctx, target, 'MESSAGE_DELETE', data);
  }

  #ephemeral(record: InteractionRecord, message: StoredMessage) {
    return { id: message.id, user_id: record.user_id, message: message as unknown as Record<string, unknown> };
  }

  #wire(target: ResolvedChannel, message: StoredMessage): SerializedMessage {
    const member = target.state?.members.get(message.authorId)?.data;
    return messageWire(message, member ? { member } : {});
  }

  /** An ephemeral message's events: the invoker's sessions only. */
  #toInvoker(record: InteractionRecord, event: MessageEvent, data: unknown): void {
    this.ctx
      .gateway()
      ?.dispatchToUsers([record.user_id], event, data as never, record.guild_id ? { guildId: record.guild_id } : {});
  }
}
