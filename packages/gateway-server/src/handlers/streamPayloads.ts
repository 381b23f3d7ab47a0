import { isObject } from '../isObject.js';
import { readSnowflake } from '../readSnowflake.js';
import type { Snowflake } from '../types.js';

/**
 * Decoders of the Go Live ops (docs/protocol.md "Go Live"). Each returns null for a payload that is not the op's
 * shape (the caller closes with 4002, as for a malformed op 4); strings are length-checked before anything is split
 * or kept, so a hostile payload costs no more than its bounded size.
 */

/** Longest stream key accepted: `guild:` + three 20-digit ids + separators is 69; Discord's keys fit in 128. */
export const MAX_STREAM_KEY_LENGTH = 128;
/** Longest `type` / `preferred_region` string accepted (Discord's are short words: guild, call, us-east…). */
const MAX_WORD_LENGTH = 32;

/** A parsed guild stream key: `guild:<guild>:<channel>:<owner>`. */
export interface GuildStreamKey {
  guildId: Snowflake;
  channelId: Snowflake;
  ownerId: Snowflake;
}

export function formatStreamKey(guildId: Snowflake, channelId: Snowflake, ownerId: Snowflake): string {
  return `guild:${guildId}:${channelId}:${ownerId}`;
}

const GUILD_KEY = /^guild:(\d{1,20}):(\d{1,20}):(\d{1,20})$/;

/** A guild stream key's parts, or null (a `call:` / `test:` key, or not a key at all). */
export function parseStreamKey(key: string): GuildStreamKey | null {
  if (key.length > MAX_STREAM_KEY_LENGTH) return null;
  const match = GUILD_KEY.exec(key);
  if (!match) return null;
  return { guildId: match[1]!, channelId: match[2]!, ownerId: match[3]! };
}

/** op 18 Stream Create. */
export interface StreamCreateCommand {
  type: string;
  guildId: Snowflake | null;
  channelId: Snowflake;
  preferredRegion: string | null;
}

function word(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' && value.length <= MAX_WORD_LENGTH ? value : undefined;
}

export function readStreamCreate(d: unknown): StreamCreateCommand | null {
  if (!isObject(d) || typeof d.type !== 'string' || d.type.length > MAX_WORD_LENGTH) return null;
  const channelId = readSnowflake(d.channel_id);
  if (channelId === null) return null;
  const guildId = d.guild_id === null || d.guild_id === undefined ? null : readSnowflake(d.guild_id);
  if (guildId === null && d.guild_id !== null && d.guild_id !== undefined) return null;
  const preferredRegion = word(d.preferred_region);
  if (preferredRegion === undefined) return null;
  return { type: d.type, guildId, channelId, preferredRegion };
}

/** The `stream_key` of ops 19, 20 and 21: a string of bounded length (whether it parses is the op's to say). */
export function readStreamKeyCommand(d: unknown): string | null {
  if (!isObject(d) || typeof d.stream_key !== 'string') return null;
  const key = d.stream_key;
  return key.length > 0 && key.length <= MAX_STREAM_KEY_LENGTH ? key : null;
}

/** op 22 Stream Set Paused. */
export function readStreamSetPaused(d: unknown): { streamKey: string; paused: boolean } | null {
  const streamKey = readStreamKeyCommand(d);
  if (streamKey === null || !isObject(d) || typeof d.paused !== 'boolean') return null;
  return { streamKey, paused: d.paused };
}
