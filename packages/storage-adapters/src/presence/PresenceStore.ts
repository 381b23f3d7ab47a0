/**
 * Presence per guild, shared by every node that serves the guild (one member's status and activities, with an optional
 * expiry). The in-memory store is here, the Redis one is `createRedisPresenceStore` in `/redis`.
 */
export interface PresenceStore {
  /** `ttlMs` omitted: kept until removed. */
  set(guildId: string, userId: string, presence: Record<string, unknown>, ttlMs?: number): Promise<void>;
  get(guildId: string, userId: string): Promise<Record<string, unknown> | null>;
  list(guildId: string): Promise<Array<{ userId: string; presence: Record<string, unknown> }>>;
  remove(guildId: string, userId: string): Promise<void>;
}
