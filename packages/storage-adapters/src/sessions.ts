/**
 * Session and presence stores let a gateway resume a session on another node: the node that accepted Identify saves the
 * session and appends every dispatch to a bounded replay log; the node that receives Resume reads both back.
 */
export interface SessionRecord {
  sessionId: string;
  userId: string;
  shard: [number, number] | null;
  intents: number;
  /** Last sequence number sent to the client. */
  seq: number;
  resumeUrl?: string;
  data?: Record<string, unknown>;
  /** Unix ms. */
  updatedAt: number;
}

export interface SessionStore {
  /** Creates or replaces the record; it expires `ttlMs` after the last save. */
  save(record: SessionRecord, ttlMs: number): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | null>;
  /** Removes the record and its replay log. */
  delete(sessionId: string): Promise<void>;
  /**
   * Appends one dispatch frame; keeps only the newest `maxEntries` and refreshes the log's expiry to `ttlMs`.
   * Sequence numbers are expected to increase by one per dispatch, as in the gateway.
   */
  appendReplay(
    sessionId: string,
    seq: number,
    frame: Uint8Array | string,
    maxEntries: number,
    ttlMs: number,
  ): Promise<void>;
  /**
   * Frames with seq > afterSeq in ascending order. `null` means the client cannot resume: the session is unknown or
   * expired, or frames after `afterSeq` were already evicted (the oldest kept seq is greater than afterSeq + 1).
   * An empty array means the client is up to date.
   */
  replayFrom(sessionId: string, afterSeq: number): Promise<Array<{ seq: number; frame: Uint8Array | string }> | null>;
}

export interface PresenceStore {
  /** `ttlMs` omitted: kept until removed. */
  set(guildId: string, userId: string, presence: Record<string, unknown>, ttlMs?: number): Promise<void>;
  get(guildId: string, userId: string): Promise<Record<string, unknown> | null>;
  list(guildId: string): Promise<Array<{ userId: string; presence: Record<string, unknown> }>>;
  remove(guildId: string, userId: string): Promise<void>;
}

export interface MemoryStoreClock {
  /** Injectable clock (unix ms) so expiry can be tested without waiting. */
  now?: () => number;
}

interface SessionEntry {
  record: SessionRecord;
  expiresAt: number;
}

interface ReplayLog {
  frames: Array<{ seq: number; frame: Uint8Array | string }>;
  expiresAt: number;
}

/** A single-process SessionStore (tests, single-node deployments). Expiry is checked lazily on read. */
export function createMemorySessionStore(options: MemoryStoreClock = {}): SessionStore {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, SessionEntry>();
  const logs = new Map<string, ReplayLog>();

  const liveSession = (id: string): SessionEntry | undefined => {
    const entry = sessions.get(id);
    if (entry && entry.expiresAt <= now()) {
      sessions.delete(id);
      return undefined;
    }
    return entry;
  };
  const liveLog = (id: string): ReplayLog | undefined => {
    const log = logs.get(id);
    if (log && log.expiresAt <= now()) {
      logs.delete(id);
      return undefined;
    }
    return log;
  };

  return {
    async save(record, ttlMs) {
      sessions.set(record.sessionId, { record: structuredClone(record), expiresAt: now() + ttlMs });
    },
    async get(sessionId) {
      const entry = liveSession(sessionId);
      return entry ? structuredClone(entry.record) : null;
    },
    async delete(sessionId) {
      sessions.delete(sessionId);
      logs.delete(sessionId);
    },
    async appendReplay(sessionId, seq, frame, maxEntries, ttlMs) {
      let log = liveLog(sessionId);
      if (!log) {
        log = { frames: [], expiresAt: 0 };
        logs.set(sessionId, log);
      }
      log.frames.push({ seq, frame: typeof frame === 'string' ? frame : frame.slice() });
      if (log.frames.length > maxEntries) log.frames.splice(0, log.frames.length - Math.max(0, maxEntries));
      log.expiresAt = now() + ttlMs;
    },
    async replayFrom(sessionId, afterSeq) {
      if (!liveSession(sessionId)) return null;
      const frames = liveLog(sessionId)?.frames ?? [];
      const oldest = frames[0];
      if (oldest && oldest.seq > afterSeq + 1) return null;
      return frames
        .filter((f) => f.seq > afterSeq)
        .map((f) => ({ seq: f.seq, frame: typeof f.frame === 'string' ? f.frame : f.frame.slice() }));
    },
  };
}

/** A single-process PresenceStore. */
export function createMemoryPresenceStore(options: MemoryStoreClock = {}): PresenceStore {
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
