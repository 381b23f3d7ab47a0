/** A token as an `Authorization` header carries it: the token, and the scheme it came with (absent for a bare one). */
export interface ReadToken {
  token: string;
  scheme?: 'Bot' | 'Bearer';
}

/**
 * The token of an `Authorization` header: `Bot <token>` (bots, discord.js), `Bearer <token>` (OAuth2 clients) and a
 * bare token (Discord's own client) are all accepted, as the gateway accepts any token. The token is empty when there
 * is none; the scheme is passed on to `authenticate` (a bot's token says it is one).
 */
export function readToken(header: string | string[] | undefined): ReadToken {
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  const match = /^(Bot|Bearer)\s+/i.exec(value);
  const token = value.slice(match?.[0].length ?? 0).trim();
  if (!match) return { token };
  return { token, scheme: match[1]!.toLowerCase() === 'bot' ? 'Bot' : 'Bearer' };
}
