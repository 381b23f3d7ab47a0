import { UnknownEntityError } from '@concord/guilds';
import { isSnowflake } from '@concord/snowflake';
import { boolParam, snowflakeParam } from '../http/queryParams.js';
import { attachmentsOf, withoutUploadList } from '../http/uploadedAttachments.js';
import type { RestRequest, RouteDefinition, UploadChannelRequest } from '../pipeline/RouteDefinition.js';

/** The interaction webhook's name for the first response's message. */
const ORIGINAL = '@original';

/**
 * Whether the path's token is an interaction's: `/webhooks/{application}/{interaction token}…` is the interaction
 * webhook (the original response and follow-ups, InteractionService), not a channel webhook.
 */
function isInteraction(req: { ctx: RestRequest['ctx']; params: Readonly<Record<string, string>> }): boolean {
  return req.ctx.community.webhooks.isInteractionToken(req.params.webhook_token!);
}

/** `?thread_id=` (a thread of the webhook's channel), as the service options take it. */
function threadOf(query: URLSearchParams): { threadId?: string } {
  const threadId = snowflakeParam(query, 'thread_id');
  return threadId === undefined ? {} : { threadId };
}

/** A channel webhook's message id: `@original` exists only for interactions (10008 Unknown Message). */
function channelMessageId(req: RestRequest): string {
  const id = req.params.message_id!;
  if (!isSnowflake(id)) throw new UnknownEntityError('message');
  return id;
}

/** Where a token route's uploads go: the interaction's channel, or the webhook's (or its thread `thread_id`). */
function uploadChannel(req: UploadChannelRequest): Promise<string> {
  const { webhook_id, webhook_token } = req.params;
  if (isInteraction(req)) return req.ctx.community.interactions.channelOf(webhook_id!, webhook_token!);
  return req.ctx.community.webhooks.channelOf(webhook_id!, webhook_token!, threadOf(req.query).threadId);
}

/**
 * Channel webhooks: create and list (MANAGE_WEBHOOKS), read, modify and delete by id (MANAGE_WEBHOOKS) or by token
 * (no authentication), execute (JSON or multipart, `wait`, `thread_id`) and the webhook's messages by token. The
 * token routes with an interaction token are the interaction webhook (follow-ups, `@original`).
 */
export const webhookRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/channels/:channel_id/webhooks',
    rule: 'write',
    handler: (req) => req.ctx.community.webhooks.create(req.user.id, req.params.channel_id!, req.body, req.reason),
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/webhooks',
    rule: 'read',
    handler: (req) => req.ctx.community.webhooks.listChannel(req.user.id, req.params.channel_id!),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/webhooks',
    rule: 'read',
    handler: (req) => req.ctx.community.webhooks.listGuild(req.user.id, req.params.guild_id!),
  },
  {
    method: 'GET',
    path: '/webhooks/:webhook_id',
    rule: 'read',
    handler: (req) => req.ctx.community.webhooks.get(req.user.id, req.params.webhook_id!),
  },
  {
    method: 'PATCH',
    path: '/webhooks/:webhook_id',
    rule: 'write',
    handler: (req) => req.ctx.community.webhooks.modify(req.user.id, req.params.webhook_id!, req.body, req.reason),
  },
  {
    method: 'DELETE',
    path: '/webhooks/:webhook_id',
    rule: 'write',
    handler: async (req) => {
      await req.ctx.community.webhooks.delete(req.user.id, req.params.webhook_id!, req.reason);
    },
  },
  // The token routes: an interaction token names no channel webhook, so these answer 10015 Unknown Webhook for one.
  {
    method: 'GET',
    path: '/webhooks/:webhook_id/:webhook_token',
    rule: 'read',
    public: true,
    strings: ['webhook_token'],
    handler: (req) => req.ctx.community.webhooks.getWithToken(req.params.webhook_id!, req.params.webhook_token!),
  },
  {
    method: 'PATCH',
    path: '/webhooks/:webhook_id/:webhook_token',
    rule: 'write',
    public: true,
    strings: ['webhook_token'],
    handler: (req) =>
      req.ctx.community.webhooks.modifyWithToken(
        req.params.webhook_id!,
        req.params.webhook_token!,
        req.body,
        req.reason,
      ),
  },
  {
    method: 'DELETE',
    path: '/webhooks/:webhook_id/:webhook_token',
    rule: 'write',
    public: true,
    strings: ['webhook_token'],
    handler: async (req) => {
      await req.ctx.community.webhooks.deleteWithToken(req.params.webhook_id!, req.params.webhook_token!, req.reason);
    },
  },
  {
    method: 'POST',
    path: '/webhooks/:webhook_id/:webhook_token',
    rule: 'webhook',
    public: true,
    uploads: true,
    uploadChannel,
    strings: ['webhook_token'],
    handler: (req) => {
      const { webhook_id, webhook_token } = req.params;
      const attachments = attachmentsOf(req);
      // Discord answers an interaction's follow-up with the message whatever `wait` says.
      if (isInteraction(req))
        return req.ctx.community.interactions.followUp(webhook_id!, webhook_token!, withoutUploadList(req), {
          attachments,
        });
      return req.ctx.community.webhooks.execute(webhook_id!, webhook_token!, withoutUploadList(req), {
        ...threadOf(req.query),
        wait: boolParam(req.query, 'wait') === true,
        withComponents: boolParam(req.query, 'with_components') === true,
        attachments,
      });
    },
  },
  {
    method: 'GET',
    path: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    rule: 'webhook',
    public: true,
    strings: ['webhook_token', 'message_id'],
    handler: (req) => {
      const { webhook_id, webhook_token, message_id } = req.params;
      if (isInteraction(req))
        return req.ctx.community.interactions.getMessage(
          webhook_id!,
          webhook_token!,
          interactionMessageId(message_id!),
        );
      return req.ctx.community.webhooks.getMessage(
        webhook_id!,
        webhook_token!,
        channelMessageId(req),
        threadOf(req.query),
      );
    },
  },
  {
    method: 'PATCH',
    path: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    rule: 'webhook',
    public: true,
    uploads: true,
    uploadChannel,
    strings: ['webhook_token', 'message_id'],
    handler: (req) => {
      const { webhook_id, webhook_token, message_id } = req.params;
      const attachments = req.files.length > 0 ? attachmentsOf(req) : [];
      if (isInteraction(req))
        return req.ctx.community.interactions.editMessage(
          webhook_id!,
          webhook_token!,
          interactionMessageId(message_id!),
          withoutUploadList(req),
          { attachments },
        );
      return req.ctx.community.webhooks.editMessage(
        webhook_id!,
        webhook_token!,
        channelMessageId(req),
        withoutUploadList(req),
        { ...threadOf(req.query), withComponents: boolParam(req.query, 'with_components') === true, attachments },
      );
    },
  },
  {
    method: 'DELETE',
    path: '/webhooks/:webhook_id/:webhook_token/messages/:message_id',
    rule: 'webhook',
    public: true,
    strings: ['webhook_token', 'message_id'],
    handler: async (req) => {
      const { webhook_id, webhook_token, message_id } = req.params;
      if (isInteraction(req))
        await req.ctx.community.interactions.deleteMessage(
          webhook_id!,
          webhook_token!,
          interactionMessageId(message_id!),
        );
      else
        await req.ctx.community.webhooks.deleteMessage(
          webhook_id!,
          webhook_token!,
          channelMessageId(req),
          threadOf(req.query),
        );
    },
  },
];

/** An interaction webhook's message id: a snowflake or `@original` (10008 Unknown Message for anything else). */
function interactionMessageId(id: string): string {
  if (id !== ORIGINAL && !isSnowflake(id)) throw new UnknownEntityError('message');
  return id;
}
