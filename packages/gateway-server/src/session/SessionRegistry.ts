import type { SessionJournal } from '../resume/SessionJournal.js';
import type { Snowflake } from '../types.js';
import type { LiveSession } from './LiveSession.js';

/** The broker topics this node listens to: asked for once per topic, when its first session comes and its last goes. */
export interface TopicSubscriptions {
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
}

/**
 * This node's sessions, indexed the ways fan-out looks them up: by id, by user and by guild. Keeps the broker
 * subscriptions in step with the index (a topic is subscribed while some session here listens to it) and, with a
 * resume store, where each session starts accounting on each topic.
 */
export class SessionRegistry {
  readonly #byId = new Map<string, LiveSession>();
  /**
   * A user's one session, or a set when they have several: most users have one, and a one-member Set (its hash table
   * included) is ~160 bytes per connected user.
   */
  readonly #byUser = new Map<Snowflake, LiveSession | Set<LiveSession>>();
  readonly #byGuild = new Map<Snowflake, Set<LiveSession>>();
  /**
   * The guild a session last joined here and its sessions (as in `#byGuild`): sessions of a community server join
   * the same guild one after another, and the lookup it spares was ~0.3 µs of an Identify (issue #19). Forgotten
   * when that guild's last session leaves.
   */
  #lastGuild: Snowflake | undefined;
  #lastGuildSessions: Set<LiveSession> | undefined;
  /** Sessions without a connection, waiting for a Resume until `resumeTtl`. */
  readonly #detached = new Set<LiveSession>();
  /**
   * null: the broker asks this index which topics the node listens to (`listening`), so none is subscribed one by one
   * (the server's own in-memory broker, brokers/ServerOwnedBroker.ts). Topic strings are then not even built.
   */
  readonly #topics: TopicSubscriptions | null;
  readonly #journal: SessionJournal<LiveSession> | undefined;

  constructor(topics: TopicSubscriptions | null, journal: SessionJournal<LiveSession> | undefined) {
    this.#topics = topics;
    this.#journal = journal;
  }

  get size(): number {
    return this.#byId.size;
  }

  get detachedCount(): number {
    return this.#detached.size;
  }

  get(sessionId: string): LiveSession | undefined {
    return this.#byId.get(sessionId);
  }

  values(): IterableIterator<LiveSession> {
    return this.#byId.values();
  }

  /** The sessions of a user on this node (undefined: none). */
  ofUser(userId: Snowflake): Iterable<LiveSession> | undefined {
    const found = this.#byUser.get(userId);
    return found === undefined || found instanceof Set ? found : [found];
  }

  /** The sessions receiving a guild's events on this node (undefined: none). */
  inGuild(guildId: Snowflake): ReadonlySet<LiveSession> | undefined {
    return this.#byGuild.get(guildId);
  }

  /** The sessions listening to a broker topic (`guild:`, `user:` or `session:` + id). */
  listening(topic: string): Iterable<LiveSession> | undefined {
    const key = topic.slice(topic.indexOf(':') + 1);
    if (topic.startsWith('guild:')) return this.#byGuild.get(key);
    if (topic.startsWith('user:')) return this.ofUser(key);
    if (topic.startsWith('session:')) {
      const session = this.#byId.get(key);
      return session ? [session] : undefined;
    }
    return undefined;
  }

  detached(): IterableIterator<LiveSession> {
    return this.#detached.values();
  }

  markDetached(session: LiveSession): void {
    this.#detached.add(session);
  }

  markAttached(session: LiveSession): void {
    this.#detached.delete(session);
  }

  add(session: LiveSession): void {
    this.#byId.set(session.sessionId, session);
    this.#topics?.subscribe(`session:${session.sessionId}`);
    const userId = session.userId;
    const other = this.#byUser.get(userId);
    if (other === undefined) {
      this.#byUser.set(userId, session);
      this.#topics?.subscribe(`user:${userId}`);
    } else if (other instanceof Set) other.add(session);
    else if (other !== session) this.#byUser.set(userId, new Set([other, session]));
    const journal = this.#journal;
    if (journal !== undefined) {
      if (session.journal === undefined) journal.attach(session, true);
      journal.track(session, `session:${session.sessionId}`);
      journal.track(session, `user:${session.userId}`);
    }
  }

  joinGuild(session: LiveSession, guildId: Snowflake): void {
    session.guilds.add(guildId);
    this.#addTo(this.#byGuild, guildId, session, 'guild:');
    if (this.#journal !== undefined) {
      this.#journal.track(session, `guild:${guildId}`);
      this.#journal.touch(session);
    }
  }

  leaveGuild(session: LiveSession, guildId: Snowflake): void {
    session.guilds.delete(guildId);
    this.#removeFrom(this.#byGuild, guildId, session, 'guild:');
    if (this.#journal !== undefined) {
      // A later rejoin starts from the head of that time, not from this stale cursor.
      session.cursors?.delete(`guild:${guildId}`);
      this.#journal.touch(session);
    }
  }

  /** Takes a session out of every index (and its guilds); returns the guilds it was in. */
  remove(session: LiveSession): Snowflake[] {
    this.#byId.delete(session.sessionId);
    this.#detached.delete(session);
    this.#unsubscribe('session:', session.sessionId);
    const userId = session.userId;
    const mine = this.#byUser.get(userId);
    if (mine === session) {
      this.#byUser.delete(userId);
      this.#unsubscribe('user:', userId);
    } else if (mine instanceof Set && mine.delete(session) && mine.size === 1) {
      // Back to one: stored bare again.
      this.#byUser.set(userId, mine.values().next().value!);
    }
    const guilds = [...session.guilds];
    for (const guildId of guilds) this.leaveGuild(session, guildId);
    return guilds;
  }

  /** `prefix + id` is the topic (built only when someone keeps topics). */
  #unsubscribe(prefix: string, id: string): void {
    if (this.#journal === undefined && this.#topics === null) return;
    const topic = prefix + id;
    this.#journal?.forget(topic);
    this.#topics?.unsubscribe(topic);
  }

  #addTo(map: Map<Snowflake, Set<LiveSession>>, key: Snowflake, session: LiveSession, prefix: string): void {
    let set = key === this.#lastGuild ? this.#lastGuildSessions : map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
      this.#topics?.subscribe(prefix + key);
    }
    set.add(session);
    this.#lastGuild = key;
    this.#lastGuildSessions = set;
  }

  #removeFrom(map: Map<Snowflake, Set<LiveSession>>, key: Snowflake, session: LiveSession, prefix: string): void {
    const set = map.get(key);
    if (!set) return;
    set.delete(session);
    if (set.size === 0) {
      map.delete(key);
      if (key === this.#lastGuild) {
        this.#lastGuild = undefined;
        this.#lastGuildSessions = undefined;
      }
      this.#unsubscribe(prefix, key);
    }
  }
}
