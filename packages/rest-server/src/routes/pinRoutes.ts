import { intParam } from '../http/queryParams.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/**
 * Pins: list, pin, unpin (PIN_MESSAGES), at Discord's current paths (`/channels/{id}/messages/pins…`, a page of
 * `{ items: [{ pinned_at, message }], has_more }`, what discord.js's `fetchPins` calls) and the older ones
 * (`/channels/{id}/pins…`, a plain list). Pinning and unpinning are the same at both.
 */
export const pinRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/channels/:channel_id/messages/pins',
    rule: 'read',
    handler: (req) => {
      const raw = req.query.get('before');
      const before = raw !== null && !Number.isNaN(Date.parse(raw)) ? raw : undefined;
      return req.ctx.community.pins.page(req.user.id, req.params.channel_id!, {
        limit: intParam(req.query, 'limit', 1, 50, 50),
        ...(before !== undefined ? { before } : {}),
      });
    },
  },
  ...pinAndUnpin('/channels/:channel_id/messages/pins/:message_id'),
  {
    method: 'GET',
    path: '/channels/:channel_id/pins',
    rule: 'read',
    handler: (req) => req.ctx.community.pins.list(req.user.id, req.params.channel_id!),
  },
  ...pinAndUnpin('/channels/:channel_id/pins/:message_id'),
];

/** `PUT` (pin) and `DELETE` (unpin) at one of the two paths. */
function pinAndUnpin(path: string): RouteDefinition[] {
  return [
    {
      method: 'PUT',
      path,
      rule: 'editMessage',
      handler: async (req) => {
        await req.ctx.community.pins.pin(req.user.id, req.params.channel_id!, req.params.message_id!, req.reason);
      },
    },
    {
      method: 'DELETE',
      path,
      rule: 'editMessage',
      handler: async (req) => {
        await req.ctx.community.pins.unpin(req.user.id, req.params.channel_id!, req.params.message_id!, req.reason);
      },
    },
  ];
}
