import { InvalidArgumentError } from '../errors/index.js';
import { bucketOfId, lastIdOfBucket, MAX_SNOWFLAKE, parseId } from '../ids.js';
import { type BucketedStore, isBucketedStore, type MessageStore, type StoredMessage } from '../MessageStore.js';

/** Where a backfill stands: the channel (index in `channelIds`), the bucket, and the last id copied in it. */
export interface BackfillCheckpoint {
  channelIndex: number;
  bucket: number | null;
  afterId: string | null;
  /** Rows written so far (over every run). */
  copied: number;
}

export interface BackfillCheckpointStore {
  load(): Promise<BackfillCheckpoint | null>;
  save(checkpoint: BackfillCheckpoint): Promise<void>;
}

export interface BackfillOptions {
  from: MessageStore;
  to: MessageStore;
  channelIds: string[];
  /** Persist progress here to resume after a crash (default: in memory, i.e. no resume). */
  checkpoint?: BackfillCheckpointStore;
  /** Rows per page (default 500). */
  batchSize?: number;
  onProgress?: (checkpoint: BackfillCheckpoint) => void;
}

export interface BackfillResult {
  /** Rows written by this run. */
  copied: number;
  /** Rows already identical in the target (skipped). */
  unchanged: number;
  /** Buckets visited by this run. */
  buckets: number;
}

function sameRow(a: StoredMessage, b: StoredMessage): boolean {
  return (
    a.content === b.content &&
    a.deleted === b.deleted &&
    a.editedAt === b.editedAt &&
    a.pinned === b.pinned &&
    a.flags === b.flags &&
    a.type === b.type &&
    a.authorId === b.authorId &&
    a.guildId === b.guildId &&
    JSON.stringify(a.extra) === JSON.stringify(b.extra)
  );
}

/**
 * Copies the history of `channelIds` from one store to another bucket by bucket (ascending ids, tombstones included),
 * with idempotent upserts, saving a checkpoint after every page. Re-running after a crash resumes from the checkpoint;
 * pages copied twice are harmless (upserts), so the target ends equal to the source with no duplicates.
 *
 * Run it while a migrating store is in `dual-write`, and run it once more (fresh checkpoint) before switching to
 * `read-new`: a row edited between a page's read and its write can be overwritten with the older copy, and the
 * second pass repairs that.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { from, to, channelIds } = options;
  if (!isBucketedStore(from)) throw new InvalidArgumentError('backfill needs a source with listBucket and putRaw');
  if (!isBucketedStore(to)) throw new InvalidArgumentError('backfill needs a target with putRaw');
  for (const id of channelIds) parseId(id, 'channelId');
  const batchSize = options.batchSize ?? 500;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError('batchSize must be >= 1');
  let memory: BackfillCheckpoint | null = null;
  const checkpoints: BackfillCheckpointStore = options.checkpoint ?? {
    load: async () => memory,
    save: async (cp) => {
      memory = cp;
    },
  };
  const source: BucketedStore = from;
  const target: BucketedStore = to;
  const compare = source.bucketMs === target.bucketMs;
  const result: BackfillResult = { copied: 0, unchanged: 0, buckets: 0 };
  let cp: BackfillCheckpoint = (await checkpoints.load()) ?? {
    channelIndex: 0,
    bucket: null,
    afterId: null,
    copied: 0,
  };

  const save = async (next: BackfillCheckpoint) => {
    await checkpoints.save(next);
    cp = next;
    options.onProgress?.(next);
  };

  /** The first non-empty bucket at or after `bucket`, found through the source's own index (skips empty buckets). */
  const nextBucket = async (channelId: string, bucket: number): Promise<number | null> => {
    if ((await source.listBucket(channelId, bucket, { limit: 1 })).length > 0) return bucket;
    const last = lastIdOfBucket(bucket, source.bucketMs);
    if (last >= MAX_SNOWFLAKE) return null;
    const next = await source.list(channelId, { after: last.toString(), limit: 1, includeDeleted: true });
    return next[0] ? bucketOfId(BigInt(next[0].id), source.bucketMs) : null;
  };
  const firstBucket = async (channelId: string): Promise<number | null> => {
    if (!source.channelBuckets) return nextBucket(channelId, 0);
    return (await source.channelBuckets(channelId))?.first ?? null;
  };

  while (cp.channelIndex < channelIds.length) {
    const channelId = channelIds[cp.channelIndex]!;
    let bucket = cp.bucket === null ? await firstBucket(channelId) : cp.bucket;
    let afterId = cp.bucket === null ? null : cp.afterId;
    while (bucket !== null) {
      result.buckets++;
      for (;;) {
        const page = await source.listBucket(channelId, bucket, {
          limit: batchSize,
          ...(afterId === null ? {} : { afterId }),
        });
        if (page.length === 0) break;
        let existing = new Map<string, StoredMessage>();
        if (compare) {
          const mirror = await target.listBucket(channelId, bucket, {
            limit: batchSize,
            ...(afterId === null ? {} : { afterId }),
          });
          existing = new Map(mirror.map((r) => [r.id, r]));
        }
        let written = 0;
        for (const row of page) {
          const there = existing.get(row.id);
          if (there && sameRow(there, row)) {
            result.unchanged++;
            continue;
          }
          await target.putRaw(row);
          written++;
        }
        result.copied += written;
        afterId = page[page.length - 1]!.id;
        await save({ channelIndex: cp.channelIndex, bucket, afterId, copied: cp.copied + written });
        if (page.length < batchSize) break;
      }
      bucket = await nextBucket(channelId, bucket + 1);
      afterId = null;
      if (bucket !== null) await save({ ...cp, bucket, afterId: null });
    }
    await save({ channelIndex: cp.channelIndex + 1, bucket: null, afterId: null, copied: cp.copied });
  }
  return result;
}
