import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VoiceStateNotice } from '../server/VoiceGatewayContract.js';
import { VoiceClusterError } from './VoiceClusterError.js';

/** A notice as it travels from an allocator to a voice node: the state and when the allocator sent it. */
export interface SignedVoiceStateNotice {
  state: VoiceStateNotice;
  /** Unix ms, strictly increasing per allocator: a node keeps the newest per user and drops older ones. */
  sentAt: number;
}

/** Largest notice body accepted (a notice is ~200 bytes: ids of at most 64 characters and three flags). */
export const MAX_NOTICE_BYTES = 1024;
/** How far a notice's `sentAt` may be from the node's clock (replays older than this are refused). */
export const NOTICE_MAX_SKEW_MS = 60_000;

// Domain-separated from voice tokens (voiceToken.ts), which are signed with the same secret.
const mac = (secret: string | Uint8Array, body: string): string =>
  createHmac('sha256', secret).update('voice-state\n').update(body).digest('base64url');

/**
 * The body and signature (`x-concord-signature`) of a notice for `POST /voice-state` on a voice node. Signed with the
 * secret allocators and nodes already share, so no other credential is needed.
 */
export function signVoiceStateNotice(
  secret: string | Uint8Array,
  notice: SignedVoiceStateNotice,
): { body: string; signature: string } {
  const { state } = notice;
  const body = JSON.stringify({
    v: 1,
    t: notice.sentAt,
    g: state.guildId,
    u: state.userId,
    s: state.sessionId,
    c: state.channelId,
    m: state.mute,
    d: state.deaf,
    p: state.suppress,
  });
  return { body, signature: mac(secret, body) };
}

function id(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64)
    throw new VoiceClusterError('BAD_NOTICE', 'notice ids are malformed');
  return value;
}

function flag(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new VoiceClusterError('BAD_NOTICE', 'notice flags are malformed');
  return value;
}

/**
 * Checks a notice's signature (before parsing anything), size and age, and returns it. Throws `VoiceClusterError`
 * `BAD_NOTICE` for anything else: a forged or foreign signature, a body over MAX_NOTICE_BYTES, malformed fields, or
 * a `sentAt` more than NOTICE_MAX_SKEW_MS from `now`.
 */
export function verifyVoiceStateNotice(
  secret: string | Uint8Array,
  body: string,
  signature: unknown,
  now = Date.now(),
): SignedVoiceStateNotice {
  if (body.length > MAX_NOTICE_BYTES) throw new VoiceClusterError('BAD_NOTICE', 'notice too large');
  if (typeof signature !== 'string' || signature.length > 128)
    throw new VoiceClusterError('BAD_NOTICE', 'notice signature missing');
  const given = Buffer.from(signature);
  const expected = Buffer.from(mac(secret, body));
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new VoiceClusterError('BAD_NOTICE', 'notice signature does not match');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new VoiceClusterError('BAD_NOTICE', 'notice is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new VoiceClusterError('BAD_NOTICE', 'notice is not an object');
  const n = parsed as Record<string, unknown>;
  if (n.v !== 1) throw new VoiceClusterError('BAD_NOTICE', 'unknown notice version');
  if (typeof n.t !== 'number' || !Number.isFinite(n.t) || Math.abs(n.t - now) > NOTICE_MAX_SKEW_MS)
    throw new VoiceClusterError('BAD_NOTICE', 'notice is stale or from the future');
  return {
    sentAt: n.t,
    state: {
      guildId: id(n.g),
      userId: id(n.u),
      sessionId: id(n.s),
      channelId: n.c === null ? null : id(n.c),
      mute: flag(n.m),
      deaf: flag(n.d),
      suppress: flag(n.p),
    },
  };
}
