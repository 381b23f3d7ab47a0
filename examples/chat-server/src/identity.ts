import { createHash } from 'node:crypto';

/** Discord's epoch; user ids are snowflakes after it. */
const DISCORD_EPOCH = 1_420_070_400_000n;
/** 2024-01-01: every derived user id claims a "creation time" within ~17 minutes of it. */
const USER_ID_BASE_MS = 1_704_067_200_000n;

/** Strips `Bot `/`Bearer ` and surrounding space from a token as clients send it. */
export function normalizeToken(raw: string): string {
  return raw.replace(/^(Bot|Bearer)\s+/i, '').trim();
}

/**
 * A stable snowflake id for a token: 42 bits of SHA-256 spread over the timestamp's low 20 bits and the 22 low bits.
 * Stable across restarts and storage backends without a lookup table.
 */
export function userIdForToken(token: string): string {
  const h = createHash('sha256').update(token).digest();
  const hi = BigInt(h.readUInt32BE(0) & 0xfffff);
  const lo = BigInt(h.readUInt32BE(4) & 0x3fffff);
  return (((USER_ID_BASE_MS - DISCORD_EPOCH + hi) << 22n) | lo).toString();
}

/**
 * Display name from a dev token: the token itself, trimmed to Discord's 32 characters. Counted in code points (a cut
 * through a surrogate pair would leave half a character) and without control characters or unpaired surrogates, which
 * every message's author snapshot would carry into storage (PostgreSQL's jsonb refuses both).
 */
export function usernameForToken(token: string): string {
  const name = Array.from(token.replace(/[\p{Cc}\p{Cs}]/gu, ''))
    .slice(0, 32)
    .join('');
  return name || 'user';
}
