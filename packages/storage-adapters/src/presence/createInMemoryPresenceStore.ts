import type { PresenceStore } from './PresenceStore.js';

export interface InMemoryPresenceStoreOptions {
  /** Injectable clock (unix ms) so expiry can be tested without waiting. */
  now?: () => number;
}

/** A single-process PresenceStore (tests, single-node deployments). Expiry is checked lazily on read. */
export function createInMemoryPresenceStore(options: InMemoryPresenceStoreOptions = {}): PresenceStore {
  const now = options.now ?? Date.now;
  const guilds = new Map<string, Map<string, { presence: Record<string, unknown>; expiresAt: number }>>();

  const sweep = (guildId: string) => {
    const members = guilds.get(guildId);
    if (!members) return undefined;
    const t = now();
    for (const [userId, entry] of members) if (entry.expiresAt <= t) members.delete(userId);
    if (members.size === 0) guilds.delete(guildId);
    return members.size === 0 ? undefined : members;
  };

  return {
    async set(guildId, userId, presence, ttlMs) {
      let members = guilds.get(guildId);
      if (!members) {
        members = new Map();
        guilds.set(guildId, members);
      }
      members.set(userId, {
        presence: structuredClone(presence),
        expiresAt: ttlMs === undefined ? Number.POSITIVE_INFINITY : now() + ttlMs,
      });
    },
    async get(guildId, userId) {
      const entry = sweep(guildId)?.get(userId);
      return entry ? structuredClone(entry.presence) : null;
    },
    async list(guildId) {
      const members = sweep(guildId);
      if (!members) return [];
      return [...members].map(([userId, entry]) => ({ userId, presence: structuredClone(entry.presence) }));
    },
    async remove(guildId, userId) {
      const members = guilds.get(guildId);
      members?.delete(userId);
      if (members?.size === 0) guilds.delete(guildId);
    },
  };
}
