import type { AuthenticatedUser, PresenceData, Snowflake, UserData } from '../types.js';
import { ResumeError } from './ResumeError.js';

/** What another node needs to rebuild a session, independent of the connection's encoding and compression. */
export interface SessionRecord {
  sessionId: string;
  user: UserData;
  application: NonNullable<AuthenticatedUser['application']>;
  intents: number;
  shard: [number, number];
  largeThreshold: number;
  /** Guilds the session receives events of. */
  guilds: Snowflake[];
  presence: PresenceData | null;
  /** Voice channel per guild the session is in (`[guildId, channelId]`), so a voice failover still reaches it. */
  voice: [Snowflake, Snowflake][];
}

const VERSION = 1;

export function encodeSessionRecord(record: SessionRecord): string {
  return JSON.stringify({ v: VERSION, ...record });
}

function fail(why: string): never {
  throw new ResumeError('INVALID_SESSION_RECORD', `invalid session record: ${why}`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 64;
const isCount = (value: unknown, min: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/** Decodes a record; anything else throws `ResumeError` INVALID_SESSION_RECORD. */
export function decodeSessionRecord(text: string): SessionRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('not JSON');
  }
  if (!isObject(raw) || raw.v !== VERSION) fail('not a version 1 record');
  const { sessionId, user, application, intents, shard, largeThreshold, guilds, presence } = raw;
  // Absent in records written before voice was kept: no voice channel.
  const voice = raw.voice ?? [];
  if (!isId(sessionId)) fail('bad sessionId');
  if (!isObject(user) || !isId(user.id) || typeof user.username !== 'string') fail('bad user');
  if (!isObject(application) || !isId(application.id) || !isCount(application.flags, 0)) fail('bad application');
  if (!isCount(intents, 0)) fail('bad intents');
  if (!Array.isArray(shard) || shard.length !== 2 || !isCount(shard[1], 1) || !isCount(shard[0], 0)) fail('bad shard');
  if ((shard[0] as number) >= (shard[1] as number)) fail('bad shard');
  if (!isCount(largeThreshold, 0)) fail('bad largeThreshold');
  if (!Array.isArray(guilds) || !guilds.every(isId)) fail('bad guilds');
  if (!(presence === null || (isObject(presence) && typeof presence.status === 'string'))) fail('bad presence');
  if (!Array.isArray(voice) || !voice.every((v) => Array.isArray(v) && v.length === 2 && isId(v[0]) && isId(v[1]))) {
    fail('bad voice');
  }
  return {
    sessionId,
    user: user as UserData,
    application: application as SessionRecord['application'],
    intents,
    shard: shard as [number, number],
    largeThreshold,
    guilds: guilds as Snowflake[],
    presence: presence as PresenceData | null,
    voice: voice as [Snowflake, Snowflake][],
  };
}
