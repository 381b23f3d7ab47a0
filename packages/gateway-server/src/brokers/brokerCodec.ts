import type { BrokerMessage, DispatchTarget } from '../Broker.js';
import { GatewayServerError } from '../GatewayServerError.js';

/** Wire version: the first element of every encoded message, so a later format can live next to this one. */
const VERSION = 1;

/**
 * Encodes a dispatch for the bus as a JSON array `[1, event, intent, target, createdAt, data]`: positional to stay
 * small, JSON because every node already has the payload as plain data and the bus is text-safe on both drivers.
 */
export function encodeBrokerMessage(message: BrokerMessage): string {
  return JSON.stringify([VERSION, message.event, message.intent, message.target, message.createdAt, message.data]);
}

function fail(why: string): never {
  throw new GatewayServerError('INVALID_BROKER_MESSAGE', `invalid broker message: ${why}`);
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64;

function decodeTarget(raw: unknown): DispatchTarget {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('target is not an object');
  const t = raw as Record<string, unknown>;
  switch (t.type) {
    case 'guild':
      if (!isId(t.guildId)) fail('guild target without guildId');
      return { type: 'guild', guildId: t.guildId };
    case 'channel':
      if (!isId(t.guildId) || !isId(t.channelId)) fail('channel target without guildId/channelId');
      return { type: 'channel', guildId: t.guildId, channelId: t.channelId };
    case 'session':
      if (!isId(t.sessionId)) fail('session target without sessionId');
      return { type: 'session', sessionId: t.sessionId };
    case 'users': {
      if (!Array.isArray(t.userIds) || !t.userIds.every(isId)) fail('users target without userIds');
      if (t.guildId !== undefined && !isId(t.guildId)) fail('users target with a bad guildId');
      return t.guildId === undefined
        ? { type: 'users', userIds: t.userIds as string[] }
        : { type: 'users', userIds: t.userIds as string[], guildId: t.guildId };
    }
    default:
      fail('unknown target type');
  }
}

/**
 * Decodes what another node published. Anything else on the channel (another app, a bad version, truncation) throws a
 * `GatewayServerError` with code `INVALID_BROKER_MESSAGE`, which the brokers count and drop.
 */
export function decodeBrokerMessage(text: string): BrokerMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('not JSON');
  }
  if (!Array.isArray(raw) || raw.length !== 6) fail('not a 6-element array');
  const [version, event, intent, target, createdAt, data] = raw as unknown[];
  if (version !== VERSION) fail(`unknown version ${String(version)}`);
  if (typeof event !== 'string' || event.length === 0 || event.length > 128) fail('bad event name');
  if (intent !== null && (typeof intent !== 'number' || !Number.isInteger(intent) || intent < 0)) fail('bad intent');
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) fail('bad createdAt');
  return { event, data, intent, target: decodeTarget(target), createdAt };
}

const STREAMED = /^(\d{1,15}-\d{1,15}) /;

/**
 * Splits what the Redis broker publishes with history on: `<stream id> <encoded message>` (the id comes from the XADD
 * done in the same script). A payload without an id is returned as is, with `id` null.
 */
export function splitStreamedPayload(text: string): { id: string | null; body: string } {
  const first = text.charCodeAt(0);
  if (!(first >= 48 && first <= 57)) return { id: null, body: text };
  const match = STREAMED.exec(text.slice(0, 40));
  if (!match) fail('bad stream id prefix');
  return { id: match[1]!, body: text.slice(match[0].length) };
}
