import type { SerializedMessage } from '@concord/gateway-server/serialize';
import type { APIWebhook } from 'discord-api-types/v10';
import { AuditLogEvent, ChannelType, PermissionFlagsBits as P, WebhookType } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { WebhookRecord } from '../model/interactionRecords.js';
import type { GuildState } from '../state/GuildState.js';
import { put, remove } from '../store/CommunityRepository.js';
import { checkObject } from '../validation/checkObject.js';
import { checkSnowflake } from '../validation/checkSnowflake.js';
import { FormErrors } from '../validation/FormErrors.js';
import { InvalidFormBodyError } from '../validation/ValidationError.js';
import { requireChannelPermissions, requireGuildPermissions } from './access.js';
import { diffChanges } from './diffChanges.js';
import { isInteractionToken } from './interactionToken.js';
import { readImageData } from './readImageData.js';
import { storeImage } from './storeImage.js';
import { type ExecuteOptions, type WebhookMessageOptions, WebhookMessages } from './WebhookMessages.js';
import { dispatchWebhooksUpdate, findWebhook, mintWebhookToken, webhookByToken, webhookWire } from './webhookAccess.js';
import { readWebhookName } from './webhookNames.js';

/** Discord's limit of webhooks per channel. */
export const MAX_WEBHOOKS_PER_CHANNEL = 15;
/** Largest webhook avatar (as user avatars). */
export const MAX_WEBHOOK_AVATAR_BYTES = 10 * 1024 * 1024;

/** Channels that can have webhooks: text, announcement, voice and stage chat, forum and media (not threads, not DMs). */
const WEBHOOK_CHANNELS = new Set<number>([
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildVoice,
  ChannelType.GuildStageVoice,
  ChannelType.GuildForum,
  ChannelType.GuildMedia,
]);

/**
 * Channel webhooks: create, list, read, modify (name, avatar, channel), delete with MANAGE_WEBHOOKS in the channel
 * (the token's holder may read, modify and delete it without one), and executing them (WebhookMessages). Every change
 * dispatches WEBHOOKS_UPDATE to the channel's viewers and is audit-logged. Avatars are stored in the blob store at
 * `avatars/<webhook>/<hash>.<ext>`, the path Discord's CDN serves them at.
 */
export class WebhookService {
  readonly #messages: WebhookMessages;

  constructor(private readonly ctx: CommunityContext) {
    this.#messages = new WebhookMessages(ctx);
  }

  /** Whether a `/webhooks/{id}/{token}` path's token is an interaction's (routed to the interactions) rather than ours. */
  isInteractionToken(token: string): boolean {
    return isInteractionToken(token);
  }

  /** `POST /channels/{id}/webhooks` `{ name, avatar? }`: MANAGE_WEBHOOKS; at most 15 per channel (30007). */
  async create(actorId: string, channelId: string, body: unknown, reason?: string): Promise<APIWebhook> {
    const { ctx } = this;
    const state = await this.#guildOfChannel(channelId);
    requireChannelPermissions(state, actorId, channelId, P.ManageWebhooks);
    const channel = state.channels.get(channelId)!;
    if (!WEBHOOK_CHANNELS.has(channel.type)) throw new CommunityError('wrongChannelType');
    const errors = new FormErrors();
    const source = checkObject(body, errors, []) ?? {};
    const name = readWebhookName(source.name, errors, ['name'], true);
    const image =
      source.avatar === undefined || source.avatar === null
        ? undefined
        : readImageData(source.avatar, errors, ['avatar'], MAX_WEBHOOK_AVATAR_BYTES);
    if (!errors.isEmpty || name === undefined) throw new InvalidFormBodyError(errors.toJSON());
    const existing = await ctx.repo.allByRef('webhook', channelId);
    if (existing.length >= MAX_WEBHOOKS_PER_CHANNEL) throw new CommunityError('maxWebhooks');
    const id = ctx.nextId();
    if (image) await this.#storeAvatar(id, image);
    const actor = await ctx.users.get(actorId);
    const webhook: WebhookRecord = {
      id,
      type: WebhookType.Incoming,
      guild_id: state.id,
      channel_id: channelId,
      name,
      avatar: image?.hash ?? null,
      token: mintWebhookToken(),
      user_id: actorId,
      // An application is its bot user: a webhook a bot creates belongs to its application.
      application_id: actor?.bot === true ? actorId : null,
    };
    await ctx.repo.write([put('webhook', state.id, id, webhook, channelId)]);
    dispatchWebhooksUpdate(ctx, state.id, channelId);
    await ctx.audit.record({
      guildId: state.id,
      userId: actorId,
      targetId: id,
      actionType: AuditLogEvent.WebhookCreate,
      changes: diffChanges({}, auditView(webhook)),
      reason,
    });
    return webhookWire(webhook, actor);
  }

  /** `GET /channels/{id}/webhooks`: MANAGE_WEBHOOKS in the channel. */
  async listChannel(actorId: string, channelId: string): Promise<APIWebhook[]> {
    const state = await this.#guildOfChannel(channelId);
    requireChannelPermissions(state, actorId, channelId, P.ManageWebhooks);
    const records = await this.ctx.repo.allByRef('webhook', channelId);
    return this.#wireAll(records.map((r) => r.value));
  }

  /** `GET /guilds/{id}/webhooks`: MANAGE_WEBHOOKS in the guild. */
  async listGuild(actorId: string, guildId: string): Promise<APIWebhook[]> {
    const state = await this.ctx.guilds.require(guildId);
    requireGuildPermissions(state, actorId, P.ManageWebhooks);
    // Only webhooks whose channel still exists (a deleted channel's webhooks are gone with it, as on Discord).
    const records = await this.ctx.repo.all('webhook', guildId);
    return this.#wireAll(records.filter((r) => state.channels.has(r.channel_id)));
  }

  /** `GET /webhooks/{id}`: MANAGE_WEBHOOKS in its channel. */
  async get(actorId: string, webhookId: string): Promise<APIWebhook> {
    const webhook = await findWebhook(this.ctx, webhookId);
    const state = await this.ctx.guilds.require(webhook.guild_id);
    requireChannelPermissions(state, actorId, webhook.channel_id, P.ManageWebhooks);
    return webhookWire(webhook, await this.ctx.users.get(webhook.user_id));
  }

  /** `GET /webhooks/{id}/{token}`: no `user`. */
  async getWithToken(webhookId: string, token: string): Promise<APIWebhook> {
    return webhookWire(await webhookByToken(this.ctx, webhookId, token));
  }

  /**
   * `PATCH /webhooks/{id}` `{ name?, avatar?, channel_id? }`: MANAGE_WEBHOOKS in its channel, and in the channel it
   * moves to (a channel of the same guild).
   */
  async modify(actorId: string, webhookId: string, body: unknown, reason?: string): Promise<APIWebhook> {
    const old = await findWebhook(this.ctx, webhookId);
    const state = await this.ctx.guilds.require(old.guild_id);
    requireChannelPermissions(state, actorId, old.channel_id, P.ManageWebhooks);
    const next = await this.#apply(state, actorId, old, body, true);
    await this.#save(state, actorId, old, next, reason);
    return webhookWire(next, await this.ctx.users.get(next.user_id));
  }

  /** `PATCH /webhooks/{id}/{token}` `{ name?, avatar? }` (no channel move without a user's permissions); no `user`. */
  async modifyWithToken(webhookId: string, token: string, body: unknown, reason?: string): Promise<APIWebhook> {
    const old = await webhookByToken(this.ctx, webhookId, token);
    const state = await this.ctx.guilds.require(old.guild_id);
    const next = await this.#apply(state, null, old, body, false);
    await this.#save(state, null, old, next, reason);
    return webhookWire(next);
  }

  /** `DELETE /webhooks/{id}`: MANAGE_WEBHOOKS in its channel. */
  async delete(actorId: string, webhookId: string, reason?: string): Promise<void> {
    const webhook = await findWebhook(this.ctx, webhookId);
    const state = await this.ctx.guilds.require(webhook.guild_id);
    requireChannelPermissions(state, actorId, webhook.channel_id, P.ManageWebhooks);
    await this.#remove(webhook, actorId, reason);
  }

  /** `DELETE /webhooks/{id}/{token}`. */
  async deleteWithToken(webhookId: string, token: string, reason?: string): Promise<void> {
    await this.#remove(await webhookByToken(this.ctx, webhookId, token), null, reason);
  }

  /** `POST /webhooks/{id}/{token}`: the message when `wait`, else undefined (Discord's 204). */
  execute(
    webhookId: string,
    token: string,
    body: unknown,
    options: ExecuteOptions = {},
  ): Promise<SerializedMessage | undefined> {
    return this.#messages.execute(webhookId, token, body, options);
  }

  /** `GET /webhooks/{id}/{token}/messages/{message}` (`thread_id` for a message in a thread). */
  getMessage(
    webhookId: string,
    token: string,
    messageId: string,
    options: WebhookMessageOptions = {},
  ): Promise<SerializedMessage> {
    return this.#messages.get(webhookId, token, messageId, options);
  }

  /** `PATCH /webhooks/{id}/{token}/messages/{message}`. */
  editMessage(
    webhookId: string,
    token: string,
    messageId: string,
    body: unknown,
    options: WebhookMessageOptions = {},
  ): Promise<SerializedMessage> {
    return this.#messages.edit(webhookId, token, messageId, body, options);
  }

  /** `DELETE /webhooks/{id}/{token}/messages/{message}`. */
  deleteMessage(
    webhookId: string,
    token: string,
    messageId: string,
    options: WebhookMessageOptions = {},
  ): Promise<void> {
    return this.#messages.delete(webhookId, token, messageId, options);
  }

  /** Where a token route's uploads go: the webhook's channel, or the thread `threadId` of it (token checked first). */
  channelOf(webhookId: string, token: string, threadId?: string): Promise<string> {
    return this.#messages.channelOf(webhookId, token, threadId);
  }

  async #guildOfChannel(channelId: string): Promise<GuildState> {
    const guildId = await this.ctx.guilds.locateChannel(channelId);
    if (guildId === undefined) throw new UnknownEntityError('channel');
    if (guildId === null) throw new CommunityError('wrongChannelType');
    return this.ctx.guilds.require(guildId);
  }

  /** The record a PATCH body makes of `old` (validated whole before anything is stored). */
  async #apply(
    state: GuildState,
    actorId: string | null,
    old: WebhookRecord,
    body: unknown,
    mayMove: boolean,
  ): Promise<WebhookRecord> {
    const errors = new FormErrors();
    const source = checkObject(body, errors, []) ?? {};
    const next: WebhookRecord = { ...old };
    if (source.name !== undefined) next.name = readWebhookName(source.name, errors, ['name'], true) ?? old.name;
    const image =
      source.avatar === undefined || source.avatar === null
        ? undefined
        : readImageData(source.avatar, errors, ['avatar'], MAX_WEBHOOK_AVATAR_BYTES);
    if (source.avatar === null) next.avatar = null;
    let channelId: string | undefined;
    if (mayMove && source.channel_id !== undefined && source.channel_id !== null)
      channelId = checkSnowflake(source.channel_id, errors, ['channel_id']);
    if (!errors.isEmpty) throw new InvalidFormBodyError(errors.toJSON());
    if (channelId !== undefined && channelId !== old.channel_id && actorId !== null) {
      requireChannelPermissions(state, actorId, channelId, P.ManageWebhooks);
      if (!WEBHOOK_CHANNELS.has(state.channels.get(channelId)!.type)) throw new CommunityError('wrongChannelType');
      const there = await this.ctx.repo.allByRef('webhook', channelId);
      if (there.length >= MAX_WEBHOOKS_PER_CHANNEL) throw new CommunityError('maxWebhooks');
      next.channel_id = channelId;
    }
    if (image) {
      await this.#storeAvatar(old.id, image);
      next.avatar = image.hash;
    }
    return next;
  }

  async #save(
    state: GuildState,
    actorId: string | null,
    old: WebhookRecord,
    next: WebhookRecord,
    reason: string | undefined,
  ): Promise<void> {
    const changes = diffChanges(auditView(old), auditView(next));
    if (changes.length === 0) return;
    await this.ctx.repo.write([put('webhook', state.id, next.id, next, next.channel_id)]);
    dispatchWebhooksUpdate(this.ctx, state.id, old.channel_id);
    if (next.channel_id !== old.channel_id) dispatchWebhooksUpdate(this.ctx, state.id, next.channel_id);
    await this.ctx.audit.record({
      guildId: state.id,
      userId: actorId,
      targetId: next.id,
      actionType: AuditLogEvent.WebhookUpdate,
      changes,
      reason,
    });
  }

  async #remove(webhook: WebhookRecord, actorId: string | null, reason: string | undefined): Promise<void> {
    const { ctx } = this;
    await ctx.repo.write([remove('webhook', webhook.guild_id, webhook.id)]);
    dispatchWebhooksUpdate(ctx, webhook.guild_id, webhook.channel_id);
    await ctx.audit.record({
      guildId: webhook.guild_id,
      userId: actorId,
      targetId: webhook.id,
      actionType: AuditLogEvent.WebhookDelete,
      changes: diffChanges(auditView(webhook), {}),
      reason,
    });
  }

  async #storeAvatar(webhookId: string, image: NonNullable<ReturnType<typeof readImageData>>): Promise<void> {
    const blobs = this.ctx.blobs;
    if (!blobs) throw new CommunityError('noBlobStore');
    await storeImage(blobs, `avatars/${webhookId}/${image.hash}.${image.extension}`, image);
  }

  async #wireAll(records: WebhookRecord[]): Promise<APIWebhook[]> {
    const users = await this.ctx.users.getMany([...new Set(records.map((r) => r.user_id))]);
    return records.map((r) => webhookWire(r, users.get(r.user_id)));
  }
}

/** The fields of a webhook its audit log entries record, under Discord's change keys. */
function auditView(webhook: WebhookRecord): Record<string, unknown> {
  return {
    name: webhook.name,
    type: webhook.type,
    channel_id: webhook.channel_id,
    avatar_hash: webhook.avatar,
    ...(webhook.application_id ? { application_id: webhook.application_id } : {}),
  };
}
