import type { ListQuery } from '@concord/storage-adapters';
import { intParam, oneCursor, snowflakeParam } from '../http/queryParams.js';
import { attachmentsOf, withoutUploadList } from '../http/uploadedAttachments.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Messages: list (before/after/around/limit), read, send (JSON or multipart with files), typing, edit, delete, bulk delete. */
export const messageRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/channels/:channel_id/messages',
    rule: 'read',
    handler: (req) => {
      oneCursor(req.query, ['before', 'after', 'around']);
      const query: ListQuery = { limit: intParam(req.query, 'limit', 1, 100, 50) };
      for (const k of ['before', 'after', 'around'] as const) {
        const v = snowflakeParam(req.query, k);
        if (v !== undefined) query[k] = v;
      }
      return req.ctx.community.messages.list(req.user.id, req.params.channel_id!, query);
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/messages/:message_id',
    rule: 'read',
    handler: (req) => req.ctx.community.messages.get(req.user.id, req.params.channel_id!, req.params.message_id!),
  },
  {
    method: 'POST',
    path: '/channels/:channel_id/messages',
    rule: 'createMessage',
    uploads: true,
    handler: (req) =>
      req.ctx.community.messages.create(req.user.id, req.params.channel_id!, withoutUploadList(req), {
        attachments: attachmentsOf(req),
      }),
  },
  {
    method: 'PATCH',
    path: '/channels/:channel_id/messages/:message_id',
    rule: 'editMessage',
    handler: (req) =>
      req.ctx.community.messages.edit(req.user.id, req.params.channel_id!, req.params.message_id!, req.body),
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/messages/:message_id',
    rule: 'editMessage',
    handler: async (req) => {
      const { channel_id, message_id } = req.params;
      await req.ctx.community.messages.delete(req.user.id, channel_id!, message_id!, req.reason);
    },
  },
  {
    method: 'POST',
    path: '/channels/:channel_id/typing',
    rule: 'createMessage',
    handler: async (req) => {
      await req.ctx.community.messages.typing(req.user.id, req.params.channel_id!);
    },
  },
  {
    method: 'POST',
    path: '/channels/:channel_id/messages/bulk-delete',
    rule: 'editMessage',
    handler: async (req) => {
      await req.ctx.community.messages.bulkDelete(req.user.id, req.params.channel_id!, req.body, req.reason);
    },
  },
];
