/**
 * What every process of the load test agrees on: user and guild ids from a session index, the Identify a client
 * sends, and the MESSAGE_CREATE the publisher fans out. Session `i` is user `i`, member of guild `i / guildSize` only,
 * and connects to node `i % nodes`, so with two nodes every guild has members on both and each message crosses the
 * broker.
 */
import { chatMessage } from '../chatMessage.js';

/** GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT: what a chat client asks for, and the intent MESSAGE_CREATE is gated on. */
export const INTENTS = (1 << 0) | (1 << 9) | (1 << 15);

const USER_BASE = 300_000_000_000_000_000n;
const GUILD_BASE = 400_000_000_000_000_000n;

export const userId = (index: number): string => String(USER_BASE + BigInt(index));
export const guildId = (guild: number): string => String(GUILD_BASE + BigInt(guild));
export const channelId = (guild: number): string => String(GUILD_BASE + 1_000_000n + BigInt(guild));
export const tokenOf = (index: number): string => `load-${index}`;

/** The session index a token names, or null for anything else (the node answers 4004). */
export function indexOfToken(token: string): number | null {
  if (!token.startsWith('load-')) return null;
  const index = Number(token.slice(5));
  return Number.isSafeInteger(index) && index >= 0 ? index : null;
}

/** Milliseconds on CLOCK_MONOTONIC (`process.hrtime`): the same clock in every process on the machine. */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

export function identifyPayload(index: number): string {
  return JSON.stringify({
    op: 2,
    d: {
      token: tokenOf(index),
      properties: { os: 'linux', browser: 'concord-load', device: 'concord-load' },
      intents: INTENTS,
    },
  });
}

/**
 * The start of every MESSAGE_CREATE frame the server writes in JSON (`op, t, d` first, `s` last; see wire/frames.ts),
 * with `nonce` as the first key of `d`: the client finds the publish time there without parsing the payload.
 */
export const MESSAGE_PREFIX = '{"op":0,"t":"MESSAGE_CREATE","d":{"nonce":"';

/** A MESSAGE_CREATE of realistic size (~0.8 KB as JSON, ~0.85 KB as a frame); `nonce` carries the publish time on CLOCK_MONOTONIC. */
export function message(n: number, guild: number, publishedAt: number): Record<string, unknown> {
  return {
    nonce: publishedAt.toFixed(3),
    ...chatMessage(String(1_300_000_000_000_000_000n + BigInt(n)), channelId(guild), guildId(guild)),
  };
}
