/**
 * The token of an `Authorization` header: `Bot <token>` (bots, discord.js), `Bearer <token>` (OAuth2 clients) and a
 * bare token (Discord's own client) are all accepted, as the gateway accepts any token. Empty when there is none.
 */
export function readToken(header: string | string[] | undefined): string {
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  return value.replace(/^(Bot|Bearer)\s+/i, '').trim();
}
