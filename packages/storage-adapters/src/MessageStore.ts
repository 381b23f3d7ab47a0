/**
 * The message store contract every adapter implements. Ids are decimal snowflake strings at the API surface: JavaScript
 * numbers cannot hold 64 bits, and strings are what Discord's JSON carries.
 *
 * Storage model: messages are partitioned by `(channelId, bucket)`, where `bucket = floor((timestamp(id) - epoch) /
 * bucketMs)`, and sorted by id inside a bucket. Reading a channel's history walks buckets from the newest relevant one
 * backwards (or forwards for `after`) and stops at the channel's first bucket.
 */
export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  content: string;
  /** Discord message type (0 default, 19 reply). */
  type: number;
  flags: number;
  /** Unix ms of the last edit, or null if never edited. */
  editedAt: number | null;
  /** Tombstone: the row is kept (content cleared) so that sync and `after` pagination stay correct. */
  deleted: boolean;
  pinned: boolean;
  /** Embeds, attachments, mentions, message_reference, nonce… stored as JSON. */
  extra: Record<string, unknown> | null;
}

export type NewMessage = Omit<StoredMessage, 'editedAt' | 'deleted' | 'pinned'> &
  Partial<Pick<StoredMessage, 'pinned'>>;

export interface MessagePatch {
  content?: string;
  flags?: number;
  extra?: Record<string, unknown> | null;
  pinned?: boolean;
  /** Unix ms; defaults to now when content, flags or extra change. */
  editedAt?: number;
}

/**
 * Discord's list semantics. At most one of `before`, `after`, `around` (else InvalidArgumentError).
 * - no cursor: the newest `limit` messages;
 * - `before`: the `limit` newest messages with id < before;
 * - `after`: the `limit` OLDEST messages with id > after;
 * - `around`: the message itself (if present) plus up to `floor(limit / 2)` newer ones, filled with older ones up to
 *   `limit` (see README: "List semantics").
 * The result is ALWAYS newest first. Tombstones are skipped unless `includeDeleted`.
 */
export interface ListQuery {
  before?: string;
  after?: string;
  around?: string;
  /** 1..100, default 50. */
  limit?: number;
  includeDeleted?: boolean;
}

export interface MessageStore {
  /** Span of snowflake time covered by one bucket, in ms. */
  readonly bucketMs: number;
  /** Rejects with DuplicateMessageError if the id exists in the channel (tombstones included). */
  create(message: NewMessage): Promise<StoredMessage>;
  /** Returns tombstones too (`deleted: true`); null if the message was never stored. */
  get(channelId: string, messageId: string): Promise<StoredMessage | null>;
  /** Rejects with MessageNotFoundError if absent or deleted. */
  edit(channelId: string, messageId: string, patch: MessagePatch): Promise<StoredMessage>;
  /** Tombstones the message; false if absent or already deleted. */
  delete(channelId: string, messageId: string): Promise<boolean>;
  /** Tombstones each listed message; returns how many were live before. */
  bulkDelete(channelId: string, messageIds: string[]): Promise<number>;
  /** Always newest first, like Discord. */
  list(channelId: string, query?: ListQuery): Promise<StoredMessage[]>;
  close(): Promise<void>;
}

/** Optional capabilities an adapter may implement, used by the migration backfill and the conformance suite. */
export interface BucketedStore extends MessageStore {
  /** One bucket of a channel in ascending id order, tombstones included. */
  listBucket(channelId: string, bucket: number, opts?: { afterId?: string; limit?: number }): Promise<StoredMessage[]>;
  /** The lowest and highest bucket ever written for the channel, or null if none. */
  channelBuckets?(channelId: string): Promise<{ first: number; last: number } | null>;
  /** Idempotent upsert of a full row (for backfill): same id → replaced, never duplicated. */
  putRaw(message: StoredMessage): Promise<void>;
}

/** Narrows a store to the bucketed capabilities. */
export function isBucketedStore(store: MessageStore): store is BucketedStore {
  const s = store as Partial<BucketedStore>;
  return typeof s.listBucket === 'function' && typeof s.putRaw === 'function';
}
