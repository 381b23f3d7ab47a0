import { bucketOfId, MAX_SNOWFLAKE } from './ids.js';
import type { ListQuery, StoredMessage } from './MessageStore.js';
import { parseListQuery } from './validation.js';

/** One read of a run of buckets, issued by the walker to an adapter. */
export interface BucketScan {
  channelId: string;
  /** Bucket to start from (inclusive) in scan direction: the highest bucket for 'desc', the lowest for 'asc'. */
  fromBucket: number;
  /** Last bucket to read (inclusive) in scan direction. */
  toBucket: number;
  /** Inclusive id range; rows outside it must not be returned. */
  lo: bigint;
  hi: bigint;
  direction: 'asc' | 'desc';
  /** At most this many rows. */
  limit: number;
  includeDeleted: boolean;
}

/** What the walker needs from an adapter. */
export interface BucketWalkSource {
  bucketMs: number;
  /**
   * Rows of `scan`, in scan direction (ids descending for 'desc'), ordered across buckets. An adapter whose storage
   * spans buckets in one index (SQL) reads the whole run in one query; a partition-per-bucket adapter reads one.
   */
  scan(scan: BucketScan): Promise<StoredMessage[]>;
  /**
   * The channel's first and last written bucket, so walking stops there instead of at the epoch. Optional when one
   * scan covers any number of buckets (the index bounds the walk).
   */
  bounds?(channelId: string): Promise<{ first: number; last: number } | null>;
  /** Buckets per scan; Infinity (default) = one scan for the whole range. */
  bucketsPerScan?: number;
}

/**
 * Walks buckets in one direction from the bucket of `start` until `limit` rows are found or the channel's edge is
 * reached. Returns rows in walk direction.
 */
export async function walkBuckets(
  source: BucketWalkSource,
  channelId: string,
  direction: 'asc' | 'desc',
  lo: bigint,
  hi: bigint,
  limit: number,
  includeDeleted: boolean,
): Promise<StoredMessage[]> {
  if (lo > hi || limit <= 0) return [];
  const { bucketMs } = source;
  let low = bucketOfId(lo, bucketMs);
  let high = bucketOfId(hi, bucketMs);
  if (source.bounds) {
    const bounds = await source.bounds(channelId);
    if (!bounds) return [];
    low = Math.max(low, bounds.first);
    high = Math.min(high, bounds.last);
    if (low > high) return [];
  }
  const span = Math.max(1, source.bucketsPerScan ?? Number.POSITIVE_INFINITY);
  const out: StoredMessage[] = [];
  let cursor = direction === 'desc' ? high : low;
  while (out.length < limit && cursor >= low && cursor <= high) {
    const end = direction === 'desc' ? Math.max(low, cursor - span + 1) : Math.min(high, cursor + span - 1);
    const rows = await source.scan({
      channelId,
      fromBucket: cursor,
      toBucket: end,
      lo,
      hi,
      direction,
      limit: limit - out.length,
      includeDeleted,
    });
    for (const row of rows) out.push(row);
    cursor = direction === 'desc' ? end - 1 : end + 1;
  }
  return out.length > limit ? out.slice(0, limit) : out;
}

/**
 * Discord's list semantics over any bucket source (validates the query). Always newest first.
 * - no cursor: newest `limit`; `before`: newest `limit` below it; `after`: oldest `limit` above it.
 * - `around`: the window of `limit` consecutive messages that holds the cursor's position, with `floor(limit / 2)`
 *   messages newer than the cursor and the rest at or below it (the cursor itself included when it exists); near either
 *   end of the channel the window shifts so the page is still full when the channel has enough messages.
 */
export async function listMessages(
  source: BucketWalkSource,
  channelId: string,
  query: ListQuery | undefined,
): Promise<StoredMessage[]> {
  const { cursor, limit, includeDeleted } = parseListQuery(query);
  switch (cursor.kind) {
    case 'latest':
      return walkBuckets(source, channelId, 'desc', 0n, MAX_SNOWFLAKE, limit, includeDeleted);
    case 'before':
      return cursor.id === 0n ? [] : walkBuckets(source, channelId, 'desc', 0n, cursor.id - 1n, limit, includeDeleted);
    case 'after': {
      if (cursor.id === MAX_SNOWFLAKE) return [];
      const rows = await walkBuckets(source, channelId, 'asc', cursor.id + 1n, MAX_SNOWFLAKE, limit, includeDeleted);
      return rows.reverse();
    }
    case 'around': {
      const [older, newer] = await Promise.all([
        walkBuckets(source, channelId, 'desc', 0n, cursor.id, limit, includeDeleted),
        cursor.id === MAX_SNOWFLAKE
          ? Promise.resolve([])
          : walkBuckets(source, channelId, 'asc', cursor.id + 1n, MAX_SNOWFLAKE, limit, includeDeleted),
      ]);
      return aroundWindow(older, newer, limit);
    }
  }
}

/** `older`: ids <= cursor, descending; `newer`: ids > cursor, ascending; each already capped at `limit`. */
export function aroundWindow(older: StoredMessage[], newer: StoredMessage[], limit: number): StoredMessage[] {
  const newerTake = Math.min(newer.length, Math.max(Math.floor(limit / 2), limit - older.length));
  const olderTake = Math.min(older.length, limit - newerTake);
  return [...newer.slice(0, newerTake).reverse(), ...older.slice(0, olderTake)];
}

/** How many distinct buckets the rows fall in (what an index scan over them touched). */
export function bucketSpan(rows: StoredMessage[], bucketMs: number): number {
  return new Set(rows.map((r) => bucketOfId(BigInt(r.id), bucketMs))).size;
}
