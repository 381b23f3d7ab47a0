import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Pins: list, pin, unpin (PIN_MESSAGES). */
export const pinRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/channels/:channel_id/pins',
    rule: 'read',
    handler: (req) => req.ctx.community.pins.list(req.user.id, req.params.channel_id!),
  },
  {
    method: 'PUT',
    path: '/channels/:channel_id/pins/:message_id',
    rule: 'editMessage',
    handler: async (req) => {
      await req.ctx.community.pins.pin(req.user.id, req.params.channel_id!, req.params.message_id!, req.reason);
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/pins/:message_id',
    rule: 'editMessage',
    handler: async (req) => {
      await req.ctx.community.pins.unpin(req.user.id, req.params.channel_id!, req.params.message_id!, req.reason);
    },
  },
];
