import { createHmac, timingSafeEqual } from 'node:crypto';
import { VoiceClusterError } from './VoiceClusterError.js';

/** What a signed voice token grants: one user's session in one channel, on one node, until `expiresAt`. */
export interface VoiceTokenClaims {
  guildId: string;
  channelId: string;
  userId: string;
  sessionId: string;
  /** Id of the voice node the token was issued for (a token is not valid on the others). */
  nodeId: string;
  /** Unix ms. */
  expiresAt: number;
}

/** Longest token accepted (the voice server refuses Identify tokens over 512 characters anyway). */
export const MAX_VOICE_TOKEN_LENGTH = 512;

const B64URL = /^[A-Za-z0-9_-]+$/;

function sign(secret: string | Uint8Array, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/**
 * Signs the claims with HMAC-SHA256: `base64url(json) "." base64url(mac)`. The allocator (gateway side) and the voice
 * nodes share the secret, so a node checks a token without asking anyone: no allocation RPC, and a node that just
 * took over a dead node's channels accepts the new tokens at once.
 */
export function signVoiceToken(secret: string | Uint8Array, claims: VoiceTokenClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      g: claims.guildId,
      c: claims.channelId,
      u: claims.userId,
      s: claims.sessionId,
      n: claims.nodeId,
      e: claims.expiresAt,
    }),
  ).toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

function field(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
    throw new VoiceClusterError('BAD_TOKEN', 'token claims are malformed');
  }
  return value;
}

/**
 * Checks a token's signature and expiry and returns its claims. Throws `VoiceClusterError` `BAD_TOKEN` (malformed,
 * forged, other secret) or `TOKEN_EXPIRED`; the signature is checked before the payload is parsed, so forged input is
 * never parsed.
 */
export function verifyVoiceToken(secret: string | Uint8Array, token: unknown, now = Date.now()): VoiceTokenClaims {
  if (typeof token !== 'string' || token.length > MAX_VOICE_TOKEN_LENGTH) {
    throw new VoiceClusterError('BAD_TOKEN', 'token is not a string of acceptable length');
  }
  const dot = token.indexOf('.');
  const payload = token.slice(0, dot);
  const mac = token.slice(dot + 1);
  if (dot <= 0 || !B64URL.test(payload) || !B64URL.test(mac)) {
    throw new VoiceClusterError('BAD_TOKEN', 'token is not payload.signature');
  }
  // Compared as text, not decoded bytes: base64 decoders ignore the spare low bits of the last character, so two
  // spellings of one MAC would otherwise both pass.
  const given = Buffer.from(mac);
  const expected = Buffer.from(sign(secret, payload).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new VoiceClusterError('BAD_TOKEN', 'token signature does not match');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new VoiceClusterError('BAD_TOKEN', 'token payload is not JSON');
  }
  if (typeof claims !== 'object' || claims === null) throw new VoiceClusterError('BAD_TOKEN', 'token payload');
  const c = claims as Record<string, unknown>;
  if (typeof c.e !== 'number' || !Number.isFinite(c.e)) throw new VoiceClusterError('BAD_TOKEN', 'token expiry');
  const result: VoiceTokenClaims = {
    guildId: field(c.g),
    channelId: field(c.c),
    userId: field(c.u),
    sessionId: field(c.s),
    nodeId: field(c.n),
    expiresAt: c.e,
  };
  if (result.expiresAt <= now) throw new VoiceClusterError('TOKEN_EXPIRED', 'token expired');
  return result;
}
