import { InvalidArgumentError, isStorageError } from '../errors/index.js';
import { isBucketedStore, type MessageStore } from '../MessageStore.js';

/**
 * - `dual-write`: `from` is the source of truth (reads and first write); every write is mirrored to `to`.
 * - `read-new`: `to` is the source of truth; reads fall back to `from` when `to` has no such message or is unavailable;
 *   writes are mirrored back to `from`, so the migration can still be rolled back.
 * - `new-only`: only `to` is used.
 */
export type MigrationPhase = 'dual-write' | 'read-new' | 'new-only';

export interface MigratingStoreOptions {
  from: MessageStore;
  to: MessageStore;
  phase: MigrationPhase;
  /**
   * A failed mirror write (to the secondary store) does not fail the caller's write, which already succeeded on the
   * source of truth; it is reported here (and counted) so a backfill can repair it.
   */
  onMirrorError?: (err: unknown, op: string) => void;
}

export interface MigratingStore extends MessageStore {
  phase: MigrationPhase;
  readonly stats: { mirrorErrors: number; fallbackReads: number };
}

/**
 * Live migration between two stores. Writes are mirrored as whole rows (`putRaw`) when the secondary supports it, so
 * the secondary converges on the primary's rows whatever order the backfill reaches them in; otherwise the same
 * operation is replayed, ignoring NOT_FOUND and DUPLICATE.
 */
export function createMigratingStore(options: MigratingStoreOptions): MigratingStore {
  const { from, to } = options;
  const stats = { mirrorErrors: 0, fallbackReads: 0 };
  let phase = options.phase;
  if (!['dual-write', 'read-new', 'new-only'].includes(phase)) throw new InvalidArgumentError(`unknown phase ${phase}`);

  const roles = () =>
    phase === 'dual-write'
      ? { primary: from, secondary: to as MessageStore | null }
      : phase === 'read-new'
        ? { primary: to, secondary: from as MessageStore | null }
        : { primary: to, secondary: null };

  const mirrorFailed = (err: unknown, op: string) => {
    stats.mirrorErrors++;
    options.onMirrorError?.(err, op);
  };

  /** Copies the primary's current row to the secondary. */
  async function mirrorRow(secondary: MessageStore, primary: MessageStore, channelId: string, id: string, op: string) {
    try {
      if (isBucketedStore(secondary)) {
        const row = await primary.get(channelId, id);
        if (row) await secondary.putRaw(row);
        return;
      }
    } catch (err) {
      mirrorFailed(err, op);
      return;
    }
    mirrorFailed(new Error('secondary store has no putRaw'), op);
  }

  /** In read-new, a message written before the backfill reached it exists only in `from`: copy it over first. */
  async function ensureInPrimary(primary: MessageStore, channelId: string, id: string) {
    if (phase !== 'read-new' || !isBucketedStore(primary)) return;
    if (await primary.get(channelId, id)) return;
    const old = await from.get(channelId, id);
    if (old) await primary.putRaw(old);
  }

  async function mirrorOp(op: string, call: () => Promise<unknown>) {
    try {
      await call();
    } catch (err) {
      if (isStorageError(err, 'NOT_FOUND') || isStorageError(err, 'DUPLICATE')) return;
      mirrorFailed(err, op);
    }
  }

  const store: MigratingStore = {
    get phase() {
      return phase;
    },
    set phase(next: MigrationPhase) {
      if (!['dual-write', 'read-new', 'new-only'].includes(next))
        throw new InvalidArgumentError(`unknown phase ${next}`);
      phase = next;
    },
    stats,
    get bucketMs() {
      return roles().primary.bucketMs;
    },

    async create(message) {
      const { primary, secondary } = roles();
      const row = await primary.create(message);
      if (secondary) {
        if (isBucketedStore(secondary)) await mirrorOp('create', () => secondary.putRaw(row));
        else await mirrorOp('create', () => secondary.create(message));
      }
      return row;
    },

    async get(channelId, messageId) {
      const { primary } = roles();
      if (phase !== 'read-new') return primary.get(channelId, messageId);
      try {
        const row = await primary.get(channelId, messageId);
        if (row) return row;
      } catch (err) {
        if (!isStorageError(err, 'UNAVAILABLE')) throw err;
      }
      stats.fallbackReads++;
      return from.get(channelId, messageId);
    },

    async list(channelId, query) {
      const { primary } = roles();
      if (phase !== 'read-new') return primary.list(channelId, query);
      try {
        return await primary.list(channelId, query);
      } catch (err) {
        if (!isStorageError(err, 'UNAVAILABLE')) throw err;
        stats.fallbackReads++;
        return from.list(channelId, query);
      }
    },

    async edit(channelId, messageId, patch) {
      const { primary, secondary } = roles();
      await ensureInPrimary(primary, channelId, messageId);
      const row = await primary.edit(channelId, messageId, patch);
      if (secondary) {
        if (isBucketedStore(secondary)) await mirrorOp('edit', () => secondary.putRaw(row));
        else await mirrorOp('edit', () => secondary.edit(channelId, messageId, patch));
      }
      return row;
    },

    async delete(channelId, messageId) {
      const { primary, secondary } = roles();
      await ensureInPrimary(primary, channelId, messageId);
      const deleted = await primary.delete(channelId, messageId);
      if (secondary && deleted) {
        if (isBucketedStore(secondary)) await mirrorRow(secondary, primary, channelId, messageId, 'delete');
        else await mirrorOp('delete', () => secondary.delete(channelId, messageId));
      }
      return deleted;
    },

    async bulkDelete(channelId, messageIds) {
      const { primary, secondary } = roles();
      if (phase === 'read-new' && Array.isArray(messageIds)) {
        for (const id of new Set(messageIds)) await ensureInPrimary(primary, channelId, id);
      }
      const count = await primary.bulkDelete(channelId, messageIds);
      if (secondary && count > 0) {
        if (isBucketedStore(secondary)) {
          for (const id of new Set(messageIds)) await mirrorRow(secondary, primary, channelId, id, 'bulkDelete');
        } else await mirrorOp('bulkDelete', () => secondary.bulkDelete(channelId, messageIds));
      }
      return count;
    },

    async close() {
      await Promise.all([from.close(), to.close()]);
    },
  };
  return store;
}
