import type { UserData } from '@concord/gateway-server';
import { type SerializedMessage, serializeThread } from '@concord/gateway-server/serialize';
import type { StoredMessage } from '@concord/storage-adapters';
import type { APIAttachment } from 'discord-api-types/v10';
import { ChannelType, MessageFlags, MessageType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { WebhookRecord } from '../model/interactionRecords.js';
import type { ChannelRecord } from '../model/records.js';
import { isThread } from '../state/channelKinds.js';
import type { GuildState } from '../state/GuildState.js';
import { put } from '../store/CommunityRepository.js';
import { isJsonObject } from '../validation/checkObject.js';
import { checkUrl } from '../validation/checkUrl.js';
import { componentMessages } from '../validation/componentMessages.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { validateMessageContent } from '../validation/validateMessageContent.js';
import { dispatchMessageEvent, recordLastMessage } from './messageEvents.js';
import { contentExtra, type MessageExtra, messageWire } from './messageWire.js';
import type { ResolvedChannel } from './resolveChannel.js';
import { resolveMentions } from './resolveMentions.js';
import { webhookByToken } from './webhookAccess.js';
import { readWebhookName } from './webhookNames.js';

/** What the token message routes take besides the path: `?thread_id=` and the request's stored uploads. */
export interface WebhookMessageOptions {
  /** `?thread_id=`: a thread of the webhook's channel. */
  threadId?: string;
  /** Files of a multipart request, already stored as attachments. */
  attachments?: APIAttachment[];
  /**
   * `?with_components=true`: a webhook no application owns may send non-interactive components (link buttons,
   * display components), as Discord allows; interactive ones stay an application's.
   */
  withComponents?: boolean;
}

/** What executing takes besides the body. */
export interface ExecuteOptions extends WebhookMessageOptions {
  /** `?wait=true`: answer the message (else Discord's 204). */
  wait?: boolean;
}

/**
 * Where a webhook's messages are posted: its channel, or a thread of it named by `thread_id`; resolved with the
 * webhook's own permissions (a webhook may mention everyone; `allowed_mentions` narrows that, as Discord's).
 */
interface WebhookTarget {
  webhook: WebhookRecord;
  state: GuildState;
  resolved: ResolvedChannel;
}

/**
 * Messages by channel webhooks: executing (`POST /webhooks/{id}/{token}`, JSON or multipart, `wait`, `thread_id`,
 * `username`/`avatar_url` overrides) and reading, editing and deleting the webhook's own messages by token. Every
 * change dispatches MESSAGE_CREATE/UPDATE/DELETE to the channel's viewers, as a member's message does.
 */
export class WebhookMessages {
  constructor(private readonly ctx: CommunityContext) {}

  async execute(
    webhookId: string,
    token: string,
    body: unknown,
    options: ExecuteOptions,
  ): Promise<SerializedMessage | undefined> {
    const { ctx } = this;
    const target = await this.#target(webhookId, token, options.threadId, true);
    const { webhook, resolved } = target;
    const attachments = options.attachments ?? [];
    const errors = new FormErrors();
    let username: string | undefined;
    let avatarUrl: string | undefined;
    if (isJsonObject(body)) {
      username = readWebhookName(body.username, errors, ['username'], false);
      avatarUrl = checkUrl(body.avatar_url, errors, ['avatar_url']);
    }
    const content = validateMessageContent(body, {
      files: attachments.length,
      errors,
      components: webhook.application_id !== null || options.withComponents === true,
    });
    assertComponentsAllowed(webhook, content.components);
    if (isThread(resolved.channel.type)) await this.#unarchive(target.state, resolved.channel);
    const mentions = await resolveMentions(ctx, resolved, content.content ?? '', content.allowed_mentions, null);
    const author: UserData = {
      id: webhook.id,
      username: username ?? webhook.name ?? 'Captain Hook',
      discriminator: '0000',
      // Discord fetches `avatar_url` and hashes it; fetching arbitrary URLs from the server is not done here, so an
      // overridden avatar shows as the default one.
      avatar: avatarUrl !== undefined ? null : webhook.avatar,
      bot: true,
    };
    const extra: MessageExtra = {
      ...contentExtra(author, mentions, content, attachments),
      webhook_id: webhook.id,
      ...(webhook.application_id ? { application_id: webhook.application_id } : {}),
    };
    const stored = await ctx.messages.create({
      id: ctx.nextId(),
      channelId: resolved.channel.id,
      guildId: webhook.guild_id,
      authorId: webhook.id,
      content: content.content ?? '',
      type: MessageType.Default,
      flags: (content.flags ?? 0) & ~MessageFlags.Ephemeral,
      extra: extra as Record<string, unknown>,
    });
    const wire = messageWire(stored);
    // Stored, so dispatched at once; the channel's last_message_id after (see recordLastMessage).
    dispatchMessageEvent(ctx, resolved, 'MESSAGE_CREATE', wire);
    await recordLastMessage(ctx, resolved, stored.id);
    return options.wait === true ? wire : undefined;
  }

  async get(
    webhookId: string,
    token: string,
    messageId: string,
    options: WebhookMessageOptions,
  ): Promise<SerializedMessage> {
    const target = await this.#target(webhookId, token, options.threadId, false);
    return messageWire(await this.#own(target, messageId));
  }

  /**
   * Edits content, embeds, allowed mentions and attachments: `attachments` in the body lists the ones to keep (by id),
   * new uploads are added; without it every attachment stays.
   */
  async edit(
    webhookId: string,
    token: string,
    messageId: string,
    body: unknown,
    options: WebhookMessageOptions,
  ): Promise<SerializedMessage> {
    const { ctx } = this;
    const target = await this.#target(webhookId, token, options.threadId, false);
    const message = await this.#own(target, messageId);
    const previous = (message.extra ?? {}) as MessageExtra;
    const errors = new FormErrors();
    let attachments = [...(previous.attachments ?? [])];
    if (isJsonObject(body) && body.attachments !== undefined && body.attachments !== null) {
      if (!Array.isArray(body.attachments) || body.attachments.length > 10) {
        errors.add(['attachments'], 'BASE_TYPE_BAD_TYPE', 'Must be an array of at most 10 attachments.');
      } else {
        const keep = new Set(
          body.attachments.map((a) => (isJsonObject(a) && typeof a.id === 'string' ? a.id : undefined)),
        );
        attachments = attachments.filter((a) => keep.has(a.id));
      }
    }
    attachments.push(...(options.attachments ?? []));
    const content = validateMessageContent(body, {
      files: attachments.length,
      errors,
      components: target.webhook.application_id !== null || options.withComponents === true,
    });
    assertComponentsAllowed(target.webhook, content.components);
    const extra: MessageExtra = { ...previous };
    if (content.embeds !== undefined) extra.embeds = content.embeds;
    if (content.components !== undefined) extra.components = content.components;
    if (attachments.length > 0) extra.attachments = attachments;
    else delete extra.attachments;
    if (content.content !== undefined) {
      const mentions = await resolveMentions(ctx, target.resolved, content.content, content.allowed_mentions, null);
      Object.assign(extra, {
        mentions: mentions.users,
        mention_roles: mentions.roles,
        mention_everyone: mentions.everyone,
      });
    }
    const edited = await ctx.messages.edit(target.resolved.channel.id, messageId, {
      ...(content.content !== undefined ? { content: content.content } : {}),
      extra: extra as Record<string, unknown>,
      editedAt: ctx.now(),
    });
    const wire = messageWire(edited);
    dispatchMessageEvent(ctx, target.resolved, 'MESSAGE_UPDATE', wire);
    return wire;
  }

  async delete(webhookId: string, token: string, messageId: string, options: WebhookMessageOptions): Promise<void> {
    const { ctx } = this;
    const target = await this.#target(webhookId, token, options.threadId, false);
    await this.#own(target, messageId);
    const channelId = target.resolved.channel.id;
    await ctx.messages.delete(channelId, messageId);
    dispatchMessageEvent(ctx, target.resolved, 'MESSAGE_DELETE', {
      id: messageId,
      channel_id: channelId,
      guild_id: target.webhook.guild_id,
    });
  }

  /** Where the uploads of a token route go (the token is checked before anything is stored). */
  async channelOf(webhookId: string, token: string, threadId?: string): Promise<string> {
    return (await this.#target(webhookId, token, threadId, false)).resolved.channel.id;
  }

  /**
   * The webhook (token checked) and where its messages go: its channel, or `threadId`, a thread whose parent is the
   * webhook's channel (10003 otherwise). A forum or media channel takes messages only in its posts (220001 without
   * `thread_id` when posting).
   */
  async #target(
    webhookId: string,
    token: string,
    threadId: string | undefined,
    posting: boolean,
  ): Promise<WebhookTarget> {
    const webhook = await webhookByToken(this.ctx, webhookId, token);
    const state = await this.ctx.guilds.require(webhook.guild_id);
    const parent = state.channels.get(webhook.channel_id);
    if (!parent) throw new UnknownEntityError('channel');
    let channel: ChannelRecord = parent;
    if (threadId !== undefined) {
      const thread = state.channels.get(threadId);
      if (!thread || !isThread(thread.type) || thread.parent_id !== parent.id) throw new UnknownEntityError('channel');
      channel = thread;
    } else if (posting && (parent.type === ChannelType.GuildForum || parent.type === ChannelType.GuildMedia)) {
      throw new CommunityError('webhookForumNeedsThread');
    }
    // The webhook's permissions: those of @everyone in the channel, plus mentioning everyone (Discord's webhooks
    // ping @everyone unless allowed_mentions says otherwise).
    const everyone = state.permissionsOf(state.id, channel.id) ?? 0n;
    const permissions = everyone | P.MentionEveryone | P.ViewChannel | P.SendMessages;
    return { webhook, state, resolved: { guildId: state.id, state, channel, permissions } };
  }

  /** A live message of this webhook in the target channel (10008 for any other, as Discord). */
  async #own(target: WebhookTarget, messageId: string): Promise<StoredMessage> {
    const message = await this.ctx.messages.get(target.resolved.channel.id, messageId);
    if (!message || message.deleted || (message.extra as MessageExtra | null)?.webhook_id !== target.webhook.id)
      throw new UnknownEntityError('message');
    return message;
  }

  /**
   * Posting in an archived thread unarchives it (Discord: "the thread will automatically be unarchived"); a locked
   * one refuses (50083).
   */
  async #unarchive(state: GuildState, thread: ChannelRecord): Promise<void> {
    const meta = (thread.thread_metadata ?? {}) as { archived?: boolean; locked?: boolean };
    if (meta.locked === true) throw new CommunityError('threadArchived');
    if (meta.archived !== true) return;
    const { ctx } = this;
    const next: ChannelRecord = {
      ...thread,
      thread_metadata: {
        ...(thread.thread_metadata as object),
        archived: false,
        archive_timestamp: new Date(ctx.now()).toISOString(),
      },
    };
    await ctx.repo.write([put('channel', state.id, thread.id, next)]);
    await ctx.commit([{ type: 'channel', guildId: state.id, channel: next }]);
    if (next.type !== ChannelType.PrivateThread)
      ctx.gateway()?.dispatchToChannel(state.id, thread.parent_id as string, 'THREAD_UPDATE', serializeThread(next));
  }
}

/**
 * Interactive components (anything with a `custom_id`: buttons other than links, selects) are an application's: a
 * webhook no application owns may send only links and display components (50035 on `components` otherwise).
 */
function assertComponentsAllowed(webhook: WebhookRecord, components: readonly unknown[] | undefined): void {
  if (webhook.application_id !== null || !components || !hasInteractive(components, 0)) return;
  const errors = new FormErrors();
  const error = componentMessages.componentsNotAllowed();
  errors.add(['components'], error.code, error.message);
  throw new InvalidFormBodyError(errors.toJSON());
}

function hasInteractive(components: readonly unknown[], depth: number): boolean {
  if (depth > 4) return false;
  return components.some((item) => {
    if (typeof item !== 'object' || item === null) return false;
    const c = item as { custom_id?: unknown; components?: unknown; accessory?: unknown };
    if (c.custom_id !== undefined) return true;
    const children = [...(Array.isArray(c.components) ? c.components : []), ...(c.accessory ? [c.accessory] : [])];
    return hasInteractive(children, depth + 1);
  });
}
