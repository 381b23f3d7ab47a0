import { serializeApplication } from '@concord/gateway-server/serialize';
import type { RestRequest, RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Discord's numbers for a bot that has not connected yet, when no gateway is given to ask. */
const FRESH_SESSION_START_LIMIT = { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 };

const gatewayUrl = (req: RestRequest) => req.ctx.gatewayUrl ?? `${req.secure ? 'wss' : 'ws'}://${req.host}/`;

/** Every user doubles as its own application (discord.js reads it at login). */
const application = (req: RestRequest) =>
  serializeApplication({ id: req.user.id, name: req.user.username, owner: req.user, bot: req.user });

/** Where the gateway is, and the application of the caller: what a bot library reads before it connects. */
export const gatewayRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/gateway', rule: 'read', public: true, handler: (req) => ({ url: gatewayUrl(req) }) },
  {
    method: 'GET',
    path: '/gateway/bot',
    rule: 'read',
    handler: (req) => ({
      url: gatewayUrl(req),
      shards: 1,
      session_start_limit: req.ctx.gateway?.getSessionStartLimit(req.user.id) ?? FRESH_SESSION_START_LIMIT,
    }),
  },
  { method: 'GET', path: '/applications/@me', rule: 'read', handler: application },
  { method: 'GET', path: '/oauth2/applications/@me', rule: 'read', handler: application },
];
