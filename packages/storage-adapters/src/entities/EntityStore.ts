/**
 * The entity store: where the community model (guilds, channels, roles, members, bans, invites, emoji, reactions, pins,
 * audit log, users, DM channels) keeps its records. One generic contract rather than a table per entity: every record
 * is a JSON value under a `(kind, partition, id)` key, with an optional secondary `ref` to look records up from the
 * other side (a member's user id → the user's guilds, a DM channel's recipient → the user's DMs). The typed layer that
 * gives the kinds their shapes lives in `@concord/guilds`; an adapter only has to get this small contract right, and
 * the conformance suite (`runEntityStoreConformance` of `/conformance`) holds every adapter to the same behaviour.
 *
 * Ordering: ids (and partitions, for `listByRef`) are ordered as snowflakes are: shorter first, then lexicographically
 * (so decimal snowflakes sort numerically and non-numeric ids, such as invite codes, still have a stable order).
 */

/** A record's key. `kind` names the collection (`'channel'`, `'role'`, …); `partition` is usually the guild id. */
export interface EntityKey {
  kind: string;
  partition: string;
  id: string;
}

/** A stored record: its key, its secondary reference (or null) and its value as it was put. */
export interface EntityRecord<T = unknown> extends EntityKey {
  ref: string | null;
  value: T;
}

/** One write of an atomic {@link EntityStore.write} batch. A `put` without `ref` stores the record with ref null. */
export type EntityWrite =
  | { op: 'put'; kind: string; partition: string; id: string; ref?: string | null; value: unknown }
  | { op: 'delete'; kind: string; partition: string; id: string }
  /** Deletes every record of the kind in the partition (a deleted guild's roles, a deleted message's reactions). */
  | { op: 'deletePartition'; kind: string; partition: string };

/**
 * A page of a list. At most one of `after` / `before`; the result is always in ascending order (`before` returns the
 * `limit` records just below the cursor, still ascending). `limit` defaults to {@link DEFAULT_ENTITY_LIST_LIMIT} and
 * may not exceed {@link MAX_ENTITY_LIST_LIMIT}.
 */
export interface EntityListQuery {
  after?: string;
  before?: string;
  limit?: number;
}

/**
 * What an {@link EntityStore.update} callback answers: a value to store (with its `ref`, kept as it was when left
 * out), `null` to delete the record, or `undefined` to leave it as it is.
 */
export type EntityUpdate<T> = { value: T; ref?: string | null } | null | undefined;

export const DEFAULT_ENTITY_LIST_LIMIT = 100;
export const MAX_ENTITY_LIST_LIMIT = 1000;
/**
 * Longest kind, partition, id or ref accepted, in UTF-16 code units (longer is an InvalidArgumentError, not a
 * truncation). Keys must also be non-empty and free of NUL and lone surrogates.
 */
export const MAX_ENTITY_KEY_LENGTH = 200;

/**
 * The contract. Values are JSON (no bigints, no cycles; strings without NUL or lone surrogates, which PostgreSQL cannot
 * store); a value read back equals the value put (`toStrictEqual` after a JSON round trip), and is never the caller's
 * object nor the store's (mutating what was put or got changes nothing stored). Every method rejects with the package's `StorageError` classes:
 * `InvalidArgumentError` for a malformed key or query, `StorageUnavailableError` when the database is gone, `CorruptDataError`
 * for a stored value that cannot be decoded, and a closed store rejects everything with code `CLOSED`.
 */
export interface EntityStore {
  /** The record's value, or null. */
  get<T>(kind: string, partition: string, id: string): Promise<T | null>;
  /** Several records of one partition at once, in the order asked, missing ones left out. */
  getMany<T>(kind: string, partition: string, ids: readonly string[]): Promise<EntityRecord<T>[]>;
  /**
   * The record of this kind with this id in any partition (ids unique within a kind: channels, invites by code). Should
   * several partitions hold the id, the lowest partition in id order wins.
   */
  find<T>(kind: string, id: string): Promise<EntityRecord<T> | null>;
  /** A page of one partition, by id. */
  list<T>(kind: string, partition: string, query?: EntityListQuery): Promise<EntityRecord<T>[]>;
  /**
   * A page of the records of a kind whose `ref` is this value, ordered by partition, then id. The cursors are
   * partitions (`after: '123'` starts at the first partition above '123'), so a kind listed this way should keep one
   * record per partition and ref, or a page ending inside a partition skips the rest of it.
   */
  listByRef<T>(kind: string, ref: string, query?: EntityListQuery): Promise<EntityRecord<T>[]>;
  /**
   * Optional: the partitions of the records {@link listByRef} answers, in its order and pages, without the records
   * (a user's guilds from its memberships, on every Identify). Stores that can answer it from an index alone have it;
   * callers without it map `listByRef`.
   */
  partitionsByRef?(kind: string, ref: string, query?: EntityListQuery): Promise<string[]>;
  /** How many records the partition holds. */
  count(kind: string, partition: string): Promise<number>;
  /** Applies the writes atomically, in order: all of them or, when one fails, none. */
  write(writes: readonly EntityWrite[]): Promise<void>;
  /**
   * Atomic read-modify-write of one record: `fn` sees the current value (null when absent) and answers an
   * {@link EntityUpdate}; concurrent updates of the same record are serialised (no lost update), so `fn` may run more
   * than once and must not have side effects. Resolves to the value stored afterwards (null when absent). A throwing
   * `fn` rejects with its error and changes nothing.
   */
  update<T>(kind: string, partition: string, id: string, fn: (current: T | null) => EntityUpdate<T>): Promise<T | null>;
  close(): Promise<void>;
}
