import type { ListQuery, MessageStore, StoredMessage } from '../MessageStore.js';

export interface CoalescingStats {
  /** Reads passed to the underlying store. */
  calls: number;
  /** Reads that joined an identical read already in flight. */
  coalesced: number;
}

export interface CoalescingStore extends MessageStore {
  readonly stats: CoalescingStats;
  readonly inner: MessageStore;
}

let unique = 0;
/** Objects (invalid as ids or limits anyway) get a key of their own: never shared, never stringified. */
const keyPart = (value: unknown) =>
  value !== null && (typeof value === 'object' || typeof value === 'function')
    ? `#${unique++}`
    : `${typeof value}:${String(value)}`;

function listKey(channelId: string, query: ListQuery | undefined): string {
  // Not an object: never shared with a valid query (the store will reject it).
  if (query !== undefined && (query === null || typeof query !== 'object'))
    return `l|?|${keyPart(channelId)}|${keyPart(query)}`;
  const q = query ?? {};
  return `l|${keyPart(channelId)}|${keyPart(q.before)}|${keyPart(q.after)}|${keyPart(q.around)}|${keyPart(q.limit)}|${keyPart(q.includeDeleted)}`;
}

function copy(row: StoredMessage): StoredMessage {
  return { ...row, extra: row.extra === null ? null : structuredClone(row.extra) };
}

/**
 * Concurrent identical reads (`get` and `list` with the same arguments) share one call to the underlying store; each
 * caller gets its own copy of the result. A write to a channel starts a new generation for it, so a read issued after a
 * write completed never joins a read that began before it (it could miss the write).
 */
export function withCoalescing(inner: MessageStore): CoalescingStore {
  const inflight = new Map<string, Promise<unknown>>();
  const generations = new Map<string, number>();
  const stats: CoalescingStats = { calls: 0, coalesced: 0 };

  const generation = (channelId: string) => generations.get(channelId) ?? 0;
  const bump = (channelId: string) => {
    generations.set(channelId, generation(channelId) + 1);
  };

  function shared<T>(channelId: string, key: string, call: () => Promise<T>): Promise<T> {
    const full = `${generation(channelId)}|${key}`;
    const existing = inflight.get(full) as Promise<T> | undefined;
    if (existing) {
      stats.coalesced++;
      return existing;
    }
    stats.calls++;
    const promise = call().finally(() => {
      if (inflight.get(full) === promise) inflight.delete(full);
    });
    inflight.set(full, promise);
    return promise;
  }

  /** Bumps the channel generation once the write has settled (success or failure: either may have changed rows). */
  async function write<T>(channelId: string, op: () => Promise<T>): Promise<T> {
    bump(channelId);
    try {
      return await op();
    } finally {
      bump(channelId);
    }
  }

  return {
    get bucketMs() {
      return inner.bucketMs;
    },
    stats,
    inner,
    async get(channelId, messageId) {
      const row = await shared(channelId, `g|${keyPart(channelId)}|${keyPart(messageId)}`, () =>
        inner.get(channelId, messageId),
      );
      return row ? copy(row) : null;
    },
    async list(channelId, query) {
      const rows = await shared(channelId, listKey(channelId, query), () => inner.list(channelId, query));
      return rows.map(copy);
    },
    create: (message) => write(message?.channelId, () => inner.create(message)),
    edit: (channelId, messageId, patch) => write(channelId, () => inner.edit(channelId, messageId, patch)),
    delete: (channelId, messageId) => write(channelId, () => inner.delete(channelId, messageId)),
    bulkDelete: (channelId, messageIds) => write(channelId, () => inner.bulkDelete(channelId, messageIds)),
    close: () => inner.close(),
  };
}
