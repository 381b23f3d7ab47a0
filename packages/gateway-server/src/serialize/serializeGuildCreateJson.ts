import { randomUUID } from 'node:crypto';
import type { GuildSnapshot } from '../types.js';
import type { JsonText } from '../wire/frames.js';
import { unpooled } from '../wire/unpooled.js';
import { discordTimestamp } from './discordTimestamp.js';
import { memoizeByIdentity } from './memoizeByIdentity.js';
import {
  GUILD_CREATE_SESSION_KEYS,
  type GuildCreateParts,
  type GuildCreateSessionKey,
  guildCreateSessionValue,
  serializeGuildCreate,
} from './serializeGuildCreate.js';

/**
 * A value no guild holds (a control character and a random UUID, drawn once per process): it marks, in a snapshot's
 * GUILD_CREATE as JSON, where each per-session value goes.
 */
const HOLE = JSON.stringify(`\u0001${randomUUID()}`);

interface JsonTemplate {
  /** The per-session keys in the order the object has them. */
  keys: GuildCreateSessionKey[];
  /** The JSON around them: `pieces[i]` comes before `keys[i]`'s value, the last piece after the last value. */
  pieces: string[];
  /**
   * Per piece, its UTF-8 bytes when it is long (the guild's fields and roles before `joined_at`, its channels), else
   * null: copied into each session's frame as bytes rather than encoded from text again (see
   * {@link guildCreateJsonPieces}). In memory of their own: kept as long as the snapshot.
   */
  bytes: (Buffer | null)[];
}

/** A piece at least this long is kept as bytes too (shorter ones are joined with the session's values as text). */
const BYTES_FROM = 256;

/**
 * A snapshot's GUILD_CREATE as JSON with holes for what differs per session (members, presences, voice states,
 * `joined_at`, `large`, `member_count`): made once per snapshot object by stringifying {@link serializeGuildCreate}'s
 * own object with a marker in those fields, so the text around them is byte for byte what `JSON.stringify` of the
 * object would give (a snapshot's own fields of those names are not guild fields: serializeGuild.ts leaves them out of
 * the extras). Null only if the object lacks one of them, which would be a bug here.
 */
const jsonTemplate = memoizeByIdentity((guild: GuildSnapshot): JsonTemplate | null => {
  const out = serializeGuildCreate(guild, {
    members: [],
    presences: [],
    voiceStates: [],
    memberCount: 0,
    large: false,
    joinedAt: 0,
  }) as unknown as Record<string, unknown>;
  const sessionKeys: readonly string[] = GUILD_CREATE_SESSION_KEYS;
  const keys = Object.keys(out).filter((k): k is GuildCreateSessionKey => sessionKeys.includes(k));
  const marker = JSON.parse(HOLE) as string;
  for (const key of keys) out[key] = marker;
  const pieces = JSON.stringify(out).split(HOLE);
  if (keys.length !== sessionKeys.length || pieces.length !== keys.length + 1) return null;
  const bytes: (Buffer | null)[] = [];
  for (const piece of pieces) bytes.push(piece.length >= BYTES_FROM ? unpooled(Buffer.from(piece, 'utf8')) : null);
  return { keys, pieces, bytes };
});

/**
 * GUILD_CREATE's `d` as JSON text, the same bytes as `JSON.stringify(serializeGuildCreate(guild, parts))`: the
 * snapshot's part is stringified once per snapshot (see {@link jsonTemplate}) and each Identify stringifies only its
 * own members, presences and voice states into it, instead of building and encoding the whole ~3 KB guild again.
 * Null when the snapshot has no template (then build the object).
 */
export function serializeGuildCreateJson(guild: GuildSnapshot, parts: GuildCreateParts): string | null {
  const template = jsonTemplate(guild);
  if (template === null) return null;
  const { keys, pieces } = template;
  let json = pieces[0]!;
  for (let i = 0; i < keys.length; i++) {
    json += sessionValueJson(keys[i]!, guild, parts) + pieces[i + 1]!;
  }
  return json;
}

/**
 * {@link serializeGuildCreateJson} as the pieces a frame is written from (wire/frames.ts's JsonText): the snapshot's
 * long pieces as the bytes kept with its template, the session's values and the short pieces between them as text.
 * The same bytes once written; no 3 KB string built, flattened and encoded per Identify. Null as there.
 */
export function guildCreateJsonPieces(guild: GuildSnapshot, parts: GuildCreateParts): JsonText | null {
  const template = jsonTemplate(guild);
  if (template === null) return null;
  const { keys, pieces, bytes } = template;
  const out: (string | Uint8Array)[] = [];
  let text = '';
  for (let i = 0; i <= keys.length; i++) {
    const piece = bytes[i]!;
    if (piece !== null) {
      if (text !== '') out.push(text);
      out.push(piece);
      text = '';
    } else text += pieces[i]!;
    if (i < keys.length) text += sessionValueJson(keys[i]!, guild, parts);
  }
  if (text !== '') out.push(text);
  return out;
}

/**
 * `JSON.stringify(guildCreateSessionValue(key, guild, parts))`, written directly where the text is known (a
 * timestamp, a boolean, a count, an empty list): a call into the runtime per value was most of what these cost.
 */
function sessionValueJson(key: GuildCreateSessionKey, guild: GuildSnapshot, parts: GuildCreateParts): string {
  switch (key) {
    case 'joined_at':
      // Always Discord's form (digits, `-`, `:`, `.`, `T`, `+`): nothing to escape.
      return `"${discordTimestamp(parts.joinedAt)}"`;
    case 'large':
      return parts.large ? 'true' : 'false';
    case 'member_count':
      return Number.isFinite(parts.memberCount) ? String(parts.memberCount) : 'null';
    case 'voice_states':
      if (parts.voiceStates.length === 0) return '[]';
      break;
    case 'members':
      if (parts.members.length === 0) return '[]';
      break;
    default:
      if (parts.presences.length === 0) return '[]';
  }
  return JSON.stringify(guildCreateSessionValue(key, guild, parts));
}
