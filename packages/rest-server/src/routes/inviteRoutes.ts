import { UnknownEntityError } from '@concord/guilds';
import { boolParam } from '../http/queryParams.js';
import type { RestRequest, RouteDefinition } from '../pipeline/RouteDefinition.js';

// Invite codes are short and URL-safe; anything else cannot name one (and must not reach the store as a key).
const INVITE_CODE = /^[A-Za-z0-9-]{1,32}$/;

function code(req: RestRequest): string {
  const value = req.params.code ?? '';
  if (!INVITE_CODE.test(value)) throw new UnknownEntityError('invite');
  return value;
}

/** Invites: create and list per channel, list per guild, look up, revoke, and accept (`POST /invites/{code}`). */
export const inviteRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/channels/:channel_id/invites',
    rule: 'write',
    handler: (req) =>
      req.ctx.community.invites.create(
        req.user.id,
        req.params.channel_id!,
        req.body as Record<string, unknown> | undefined,
        req.reason,
      ),
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/invites',
    rule: 'read',
    handler: (req) => req.ctx.community.invites.listForChannel(req.user.id, req.params.channel_id!),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/invites',
    rule: 'read',
    handler: (req) => req.ctx.community.invites.listForGuild(req.user.id, req.params.guild_id!),
  },
  {
    method: 'GET',
    path: '/invites/:code',
    rule: 'read',
    strings: ['code'],
    handler: (req) => {
      const withCounts = boolParam(req.query, 'with_counts') ?? false;
      return req.ctx.community.invites.get(code(req), { withCounts });
    },
  },
  {
    method: 'DELETE',
    path: '/invites/:code',
    rule: 'write',
    strings: ['code'],
    handler: (req) => req.ctx.community.invites.delete(req.user.id, code(req), req.reason),
  },
  {
    method: 'POST',
    path: '/invites/:code',
    rule: 'write',
    strings: ['code'],
    handler: (req) => req.ctx.community.invites.accept(req.user.id, code(req)),
  },
];
