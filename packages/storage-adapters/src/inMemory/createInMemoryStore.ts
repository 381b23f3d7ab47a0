import { DuplicateMessageError, MessageNotFoundError, StoreClosedError } from '../errors/index.js';
import { bucketOfId, DEFAULT_BUCKET_MS, parseId, validateBucketMs } from '../ids.js';
import { type BucketScan, listMessages } from '../listWalk.js';
import type { BucketedStore, ListQuery, MessagePatch, NewMessage, StoredMessage } from '../MessageStore.js';
import type { ScanStats } from '../ScanStats.js';
import {
  applyPatch,
  checkBucketArgs,
  parseBulkIds,
  toTombstone,
  validateNewMessage,
  validatePatch,
  validateStoredMessage,
} from '../validation.js';

export interface InMemoryStoreOptions {
  /** Span of one bucket in ms (default 10 days). */
  bucketMs?: number;
  /** Longest accepted content in code points (default 4000). */
  maxContentLength?: number;
  /** Called after each bucket scan (instrumentation for benches and tests). */
  onScan?: (stats: ScanStats) => void;
  /** Clock for editedAt. */
  now?: () => number;
}

interface Bucket {
  /** Ascending. */
  ids: bigint[];
  rows: Map<bigint, StoredMessage>;
}

interface Channel {
  buckets: Map<number, Bucket>;
  /** Non-empty bucket numbers, ascending. */
  order: number[];
}

/** Index of the first element >= value. */
function lowerBound<T extends number | bigint>(sorted: T[], value: T): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > value. */
function upperBound<T extends number | bigint>(sorted: T[], value: T): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted<T extends number | bigint>(sorted: T[], value: T): void {
  // Ids mostly arrive in increasing order: appending is the common case.
  const last = sorted[sorted.length - 1];
  if (last === undefined || last < value) sorted.push(value);
  else sorted.splice(lowerBound(sorted, value), 0, value);
}

function clone(row: StoredMessage): StoredMessage {
  return { ...row, extra: row.extra === null ? null : structuredClone(row.extra) };
}

/** Creates the in-process store: sorted arrays per (channel, bucket). Data lives as long as the process. */
export function createInMemoryStore(options: InMemoryStoreOptions = {}): BucketedStore {
  const bucketMs = validateBucketMs(options.bucketMs ?? DEFAULT_BUCKET_MS);
  const validation = { maxContentLength: options.maxContentLength };
  const now = options.now ?? Date.now;
  const channels = new Map<string, Channel>();
  let closed = false;

  const open = () => {
    if (closed) throw new StoreClosedError();
  };

  const findRow = (channelId: string, id: bigint): StoredMessage | undefined =>
    channels.get(channelId)?.buckets.get(bucketOfId(id, bucketMs))?.rows.get(id);

  const put = (row: StoredMessage, id: bigint): void => {
    let channel = channels.get(row.channelId);
    if (!channel) {
      channel = { buckets: new Map(), order: [] };
      channels.set(row.channelId, channel);
    }
    const b = bucketOfId(id, bucketMs);
    let bucket = channel.buckets.get(b);
    if (!bucket) {
      bucket = { ids: [], rows: new Map() };
      channel.buckets.set(b, bucket);
      insertSorted(channel.order, b);
    }
    if (!bucket.rows.has(id)) insertSorted(bucket.ids, id);
    bucket.rows.set(id, row);
  };

  const scan = async (s: BucketScan): Promise<StoredMessage[]> => {
    const channel = channels.get(s.channelId);
    const out: StoredMessage[] = [];
    if (!channel) return out;
    const { order } = channel;
    let visited = 0;
    if (s.direction === 'desc') {
      for (let i = upperBound(order, s.fromBucket) - 1; i >= 0 && order[i]! >= s.toBucket; i--) {
        const bucket = channel.buckets.get(order[i]!)!;
        visited++;
        for (let j = upperBound(bucket.ids, s.hi) - 1; j >= 0 && bucket.ids[j]! >= s.lo; j--) {
          const row = bucket.rows.get(bucket.ids[j]!)!;
          if (row.deleted && !s.includeDeleted) continue;
          out.push(clone(row));
          if (out.length >= s.limit) break;
        }
        if (out.length >= s.limit) break;
      }
    } else {
      for (let i = lowerBound(order, s.fromBucket); i < order.length && order[i]! <= s.toBucket; i++) {
        const bucket = channel.buckets.get(order[i]!)!;
        visited++;
        for (let j = lowerBound(bucket.ids, s.lo); j < bucket.ids.length && bucket.ids[j]! <= s.hi; j++) {
          const row = bucket.rows.get(bucket.ids[j]!)!;
          if (row.deleted && !s.includeDeleted) continue;
          out.push(clone(row));
          if (out.length >= s.limit) break;
        }
        if (out.length >= s.limit) break;
      }
    }
    options.onScan?.({ buckets: visited, rows: out.length });
    return out;
  };

  const source = {
    bucketMs,
    scan,
    async bounds(channelId: string) {
      const order = channels.get(channelId)?.order;
      return order?.length ? { first: order[0]!, last: order[order.length - 1]! } : null;
    },
  };

  return {
    bucketMs,

    async create(message: NewMessage) {
      open();
      const row = validateNewMessage(message, validation);
      const id = BigInt(row.id);
      if (findRow(row.channelId, id)) throw new DuplicateMessageError(row.channelId, row.id);
      put(row, id);
      return clone(row);
    },

    async get(channelId, messageId) {
      open();
      parseId(channelId, 'channelId');
      const row = findRow(channelId, parseId(messageId, 'messageId'));
      return row ? clone(row) : null;
    },

    async edit(channelId, messageId, patch: MessagePatch) {
      open();
      parseId(channelId, 'channelId');
      const id = parseId(messageId, 'messageId');
      const valid = validatePatch(patch, validation);
      const row = findRow(channelId, id);
      if (!row || row.deleted) throw new MessageNotFoundError(channelId, messageId);
      const next = applyPatch(row, valid, now());
      put(next, id);
      return clone(next);
    },

    async delete(channelId, messageId) {
      open();
      parseId(channelId, 'channelId');
      const id = parseId(messageId, 'messageId');
      const row = findRow(channelId, id);
      if (!row || row.deleted) return false;
      put(toTombstone(row), id);
      return true;
    },

    async bulkDelete(channelId, messageIds) {
      open();
      parseId(channelId, 'channelId');
      let count = 0;
      for (const messageId of parseBulkIds(messageIds)) {
        const id = BigInt(messageId);
        const row = findRow(channelId, id);
        if (!row || row.deleted) continue;
        put(toTombstone(row), id);
        count++;
      }
      return count;
    },

    async list(channelId, query?: ListQuery) {
      open();
      parseId(channelId, 'channelId');
      return listMessages(source, channelId, query);
    },

    async listBucket(channelId, bucket, opts = {}) {
      open();
      parseId(channelId, 'channelId');
      checkBucketArgs(bucket, opts?.limit);
      const after = opts.afterId === undefined ? -1n : parseId(opts.afterId, 'afterId');
      const limit = opts.limit ?? Number.POSITIVE_INFINITY;
      const b = channels.get(channelId)?.buckets.get(bucket);
      if (!b) return [];
      const out: StoredMessage[] = [];
      for (let j = upperBound(b.ids, after); j < b.ids.length && out.length < limit; j++) {
        out.push(clone(b.rows.get(b.ids[j]!)!));
      }
      return out;
    },

    async channelBuckets(channelId) {
      open();
      parseId(channelId, 'channelId');
      return source.bounds(channelId);
    },

    async putRaw(message) {
      open();
      const row = validateStoredMessage(message, validation);
      put(row, BigInt(row.id));
    },

    async close() {
      closed = true;
      channels.clear();
    },
  };
}
