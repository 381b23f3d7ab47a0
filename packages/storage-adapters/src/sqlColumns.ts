import type { ContentCodec } from './compression/index.js';
import { CorruptDataError } from './errors/index.js';
import { bucketOfId, fromSortable, toSortable } from './ids.js';
import type { BucketScan } from './listWalk.js';
import type { StoredMessage } from './MessageStore.js';

/**
 * Column mapping shared by the SQL adapters. SQL integers are signed 64-bit:
 * - message_id is stored as `id - 2^63` (order-preserving), so ids up to 2^64 - 1 still sort correctly;
 * - channel_id, guild_id and author_id only need equality and are stored as the same 64 bits read as signed, which is the
 *   plain id for every id below 2^63 (all real ones until 2084).
 */
export function dbId(id: string): bigint {
  // Every id below 2^63 is itself (the common case; skips an allocating asIntN). Same-length digit strings compare
  // numerically.
  if (id.length < 19 || (id.length === 19 && id <= '9223372036854775807')) return BigInt(id);
  return BigInt.asIntN(64, BigInt(id));
}

export function fromDbId(value: bigint | string | number): string {
  // Every id below 2^63 is stored as itself: skip the bigint round trip (hot path of every decoded row).
  if (typeof value === 'string')
    return value.charCodeAt(0) === 45 /* - */ ? BigInt.asUintN(64, BigInt(value)).toString() : value;
  if (typeof value === 'number') return value >= 0 ? String(value) : BigInt.asUintN(64, BigInt(value)).toString();
  return (value >= 0n ? value : BigInt.asUintN(64, value)).toString();
}

export function dbMessageId(id: string | bigint): bigint {
  return toSortable(typeof id === 'string' ? BigInt(id) : id);
}

export function fromDbMessageId(value: bigint | string | number): string {
  return fromSortable(BigInt(value)).toString();
}

export const SQL_COLUMNS = [
  'channel_id',
  'bucket',
  'message_id',
  'guild_id',
  'author_id',
  'content',
  'content_z',
  'enc',
  'type',
  'flags',
  'edited_at',
  'deleted',
  'pinned',
  'extra',
] as const;

type Int = bigint | number | string;

/** A row as a driver returns it (SQLite: bigint/number, PostgreSQL: bigint as string, booleans as bool or 0/1). */
export interface SqlRowOut {
  channel_id: Int;
  message_id: Int;
  guild_id: Int | null;
  author_id: Int;
  content: string;
  content_z: Uint8Array | null;
  enc: Int;
  type: Int;
  flags: Int;
  edited_at: Int | null;
  deleted: boolean | Int;
  pinned: boolean | Int;
  extra: string | Record<string, unknown> | null;
}

export function fromSqlRow(r: SqlRowOut, codec: ContentCodec): StoredMessage {
  let extra: Record<string, unknown> | null = null;
  if (typeof r.extra === 'string') {
    try {
      extra = JSON.parse(r.extra) as Record<string, unknown>;
    } catch (err) {
      throw new CorruptDataError('extra column is not valid JSON', { cause: err });
    }
  } else if (r.extra !== null) extra = r.extra;
  return {
    id: fromDbMessageId(r.message_id),
    channelId: fromDbId(r.channel_id),
    guildId: r.guild_id === null ? null : fromDbId(r.guild_id),
    authorId: fromDbId(r.author_id),
    content: codec.decode(r.content, r.content_z, Number(r.enc)),
    type: Number(r.type),
    flags: Number(r.flags),
    editedAt: r.edited_at === null ? null : Number(r.edited_at),
    deleted: r.deleted === true || Number(r.deleted) === 1,
    pinned: r.pinned === true || Number(r.pinned) === 1,
    extra,
  };
}

/**
 * The row as positional values in SQL_COLUMNS order (cheaper to bind than named parameters). `big` converts 64-bit
 * integers for the driver (bigint for better-sqlite3, decimal strings for pg); booleans become `bool(b)`.
 */
export function toSqlValues<B, T>(
  m: StoredMessage,
  bucketMs: number,
  codec: ContentCodec,
  big: (value: bigint) => B,
  bool: (value: boolean) => T,
): Array<B | T | string | number | Buffer | null> {
  const id = BigInt(m.id);
  const content = codec.encode(m.content);
  return [
    big(BigInt.asIntN(64, BigInt(m.channelId))),
    bucketOfId(id, bucketMs),
    big(toSortable(id)),
    m.guildId === null ? null : big(BigInt.asIntN(64, BigInt(m.guildId))),
    big(BigInt.asIntN(64, BigInt(m.authorId))),
    content.text,
    content.bytes,
    content.enc,
    m.type,
    m.flags,
    m.editedAt,
    bool(m.deleted),
    bool(m.pinned),
    m.extra === null ? null : JSON.stringify(m.extra),
  ];
}

/** The four prepared range scans an SQL adapter keeps: by direction, with or without tombstones. */
export interface ScanStatements<T> {
  scanDesc: T;
  scanDescLive: T;
  scanAsc: T;
  scanAscLive: T;
}

export function pickScan<T>(stmts: ScanStatements<T>, scan: Pick<BucketScan, 'direction' | 'includeDeleted'>): T {
  if (scan.direction === 'desc') return scan.includeDeleted ? stmts.scanDesc : stmts.scanDescLive;
  return scan.includeDeleted ? stmts.scanAsc : stmts.scanAscLive;
}
