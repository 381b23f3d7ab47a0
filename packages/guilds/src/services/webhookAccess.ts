import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { UserData } from '@concord/gateway-server';
import { serializeUser } from '@concord/gateway-server/serialize';
import type { APIWebhook } from 'discord-api-types/v10';
import type { CommunityContext } from '../community/CommunityContext.js';
import { CommunityError } from '../errors/CommunityError.js';
import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import type { WebhookRecord } from '../model/interactionRecords.js';
import { isInteractionToken } from './interactionToken.js';

/** Discord's webhook tokens are 68 characters (51 random bytes in base64url). */
export const WEBHOOK_TOKEN_LENGTH = 68;

/** A new webhook token: 68 random base64url characters, never one that reads as an interaction token. */
export function mintWebhookToken(): string {
  for (;;) {
    const token = randomBytes(51).toString('base64url');
    if (!isInteractionToken(token)) return token;
  }
}

/**
 * The webhook with this id, wherever it lives: 10015 Unknown Webhook when there is none, or when its guild or channel
 * is gone (a channel's webhooks go with it, as on Discord; their records are not swept when it is deleted).
 */
export async function findWebhook(ctx: CommunityContext, webhookId: string): Promise<WebhookRecord> {
  const found = await ctx.repo.find('webhook', webhookId);
  if (!found) throw new UnknownEntityError('webhook');
  const state = await ctx.guilds.require(found.value.guild_id).catch(() => null);
  if (!state?.channels.has(found.value.channel_id)) throw new UnknownEntityError('webhook');
  return found.value;
}

/**
 * The webhook a `/webhooks/{id}/{token}` path names: 10015 when there is none, 50027 Invalid Webhook Token when the
 * token is not its token. Compared in constant time (the token is the only secret of these unauthenticated routes).
 */
export async function webhookByToken(ctx: CommunityContext, webhookId: string, token: string): Promise<WebhookRecord> {
  const webhook = await findWebhook(ctx, webhookId);
  const given = Buffer.from(token, 'utf8');
  const expected = Buffer.from(webhook.token, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new CommunityError('invalidWebhookToken');
  return webhook;
}

/**
 * Discord's webhook object. `creator` is the user who made it: Discord includes `user` in answers to those with
 * MANAGE_WEBHOOKS and leaves it out of the token routes' answers.
 */
export function webhookWire(webhook: WebhookRecord, creator?: UserData | null): APIWebhook {
  return {
    id: webhook.id,
    type: webhook.type,
    guild_id: webhook.guild_id,
    channel_id: webhook.channel_id,
    ...(creator ? { user: serializeUser(creator) } : {}),
    name: webhook.name,
    avatar: webhook.avatar,
    token: webhook.token,
    application_id: webhook.application_id,
  } as APIWebhook;
}

/** WEBHOOKS_UPDATE to those who can view the channel, after any change to its webhooks. */
export function dispatchWebhooksUpdate(ctx: CommunityContext, guildId: string, channelId: string): void {
  ctx.gateway()?.dispatchToChannel(guildId, channelId, 'WEBHOOKS_UPDATE', { guild_id: guildId, channel_id: channelId });
}
