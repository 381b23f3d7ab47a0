import type { NewMessage, StoredMessage } from '../../src/index.js';

/**
 * The direct-driver baselines' SQL layout: the table an application would write by hand for the same model, without the
 * store (same columns, same signed `message_id - 2^63` clustering, same primary key).
 */
export const SIGN = 1n << 63n;

export const COLS =
  'channel_id, bucket, message_id, guild_id, author_id, content, content_z, enc, type, flags, edited_at, deleted, pinned, extra';

export const DDL_SQLITE = (t: string) => `CREATE TABLE ${t} (channel_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
  message_id INTEGER NOT NULL, guild_id INTEGER, author_id INTEGER NOT NULL, content TEXT NOT NULL, content_z BLOB,
  enc INTEGER NOT NULL DEFAULT 0, type INTEGER NOT NULL, flags INTEGER NOT NULL, edited_at INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0, pinned INTEGER NOT NULL DEFAULT 0, extra TEXT,
  PRIMARY KEY (channel_id, bucket, message_id)) WITHOUT ROWID`;

/** A new message as positional values in COLS order, converted as a hand-written insert would. */
export function directValues(m: NewMessage, bucketMs: number) {
  const id = BigInt(m.id);
  return [
    BigInt(m.channelId),
    Number((id >> 22n) / BigInt(bucketMs)),
    id - SIGN,
    m.guildId === null ? null : BigInt(m.guildId),
    BigInt(m.authorId),
    m.content,
    null,
    0,
    m.type,
    m.flags,
    null,
    0,
    0,
    m.extra === null ? null : JSON.stringify(m.extra),
  ] as const;
}

export type DirectRow = Record<string, unknown>;

/** A row back to the store's message shape, as a hand-written read would. */
export function directDecode(r: DirectRow): StoredMessage {
  return {
    id: (BigInt(r.message_id as bigint | string) + SIGN).toString(),
    channelId: String(r.channel_id),
    guildId: r.guild_id === null ? null : String(r.guild_id),
    authorId: String(r.author_id),
    content: r.content as string,
    type: Number(r.type),
    flags: Number(r.flags),
    editedAt: r.edited_at === null ? null : Number(r.edited_at),
    deleted: r.deleted === true || Number(r.deleted) === 1,
    pinned: r.pinned === true || Number(r.pinned) === 1,
    extra: typeof r.extra === 'string' ? JSON.parse(r.extra) : (r.extra as Record<string, unknown> | null),
  };
}
