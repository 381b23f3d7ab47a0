import { randomBytes } from 'node:crypto';

/** What every interaction token starts with: base64 of `interaction:`, as Discord's do. */
const PREFIX = 'aW50ZXJhY3Rpb246';

/**
 * A new interaction token: `interaction:<id>:<secret>` in base64url (no padding), so any node can tell the
 * interaction it belongs to and that a `/webhooks/{app}/{token}` path is an interaction's, not a channel webhook's.
 */
export function mintInteractionToken(interactionId: string): string {
  // 192 random bits; the whole token stays under 100 characters, Fastify's default limit for a path parameter.
  const secret = randomBytes(24).toString('base64url');
  return Buffer.from(`interaction:${interactionId}:${secret}`).toString('base64url');
}

/** Whether a webhook path's token is an interaction token (not a channel webhook's). */
export function isInteractionToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** The interaction id an interaction token names, or null when it is not one (length-bounded before decoding). */
export function interactionIdFromToken(token: string): string | null {
  if (!isInteractionToken(token) || token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^interaction:(\d{1,20}):[A-Za-z0-9_-]+$/.exec(text);
  return match ? match[1]! : null;
}
