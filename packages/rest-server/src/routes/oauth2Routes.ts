import { isSnowflake } from '@concord/snowflake';
import { invalidFormBody, notSnowflake } from '../errors/invalidFormBody.js';
import type { RouteDefinition } from '../pipeline/RouteDefinition.js';

/** Permission bits as Discord's authorization screen sends them: a decimal string or a non-negative integer. */
function readPermissions(value: unknown): bigint {
  if (value === undefined || value === null) return 0n;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,20}$/.test(text)) {
    throw invalidFormBody(['permissions'], 'NUMBER_TYPE_COERCE', 'Value is not a permission bit set.');
  }
  return BigInt(text);
}

/**
 * `POST /oauth2/authorize?client_id=<bot>&scope=bot` with `{ guild_id, permissions, authorize }`: what Discord's
 * authorization screen sends to add a bot to a guild (the bot's application id is its user id here, as
 * `GET /applications/@me` answers). The answer is Discord's `{ location }` to send the browser to.
 */
export const oauth2Routes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/oauth2/authorize',
    rule: 'write',
    handler: async (req) => {
      const clientId = req.query.get('client_id') ?? '';
      if (!isSnowflake(clientId)) throw notSnowflake('client_id', clientId);
      const scopes = (req.query.get('scope') ?? '').split(/[\s+]+/).filter(Boolean);
      if (!scopes.includes('bot'))
        throw invalidFormBody(['scope'], 'BASE_TYPE_CHOICES', 'Only the bot scope is supported.');
      const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
      const location = `http://${req.host}/oauth2/authorized`;
      if (body.authorize !== true) return { location: `${location}?error=access_denied` };
      const guildId = typeof body.guild_id === 'string' ? body.guild_id : String(body.guild_id ?? '');
      if (!isSnowflake(guildId)) throw notSnowflake('guild_id', guildId);
      await req.ctx.community.bots.authorize(
        req.user.id,
        guildId,
        clientId,
        readPermissions(body.permissions),
        req.reason,
      );
      return { location };
    },
  },
];
