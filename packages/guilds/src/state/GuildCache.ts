import { UnknownEntityError } from '../errors/UnknownEntityError.js';
import { DM_PARTITION, GUILD_PARTITION, type UserRecord } from '../model/records.js';
import type { CommunityRepository } from '../store/CommunityRepository.js';
import { isThread } from './channelKinds.js';
import { GuildState } from './GuildState.js';
import type { StateChange } from './StateChange.js';
import type { UserCache } from './UserCache.js';

/**
 * The guilds this node has in memory, loaded from the store on first use (one load per guild even when many callers
 * ask at once) and kept current by {@link GuildCache.apply}: the only way a {@link GuildState} changes.
 */
export class GuildCache {
  readonly #states = new Map<string, GuildState>();
  readonly #loading = new Map<string, Promise<GuildState | null>>();
  /** Channel id → guild id, for the channels of loaded guilds (routes name a channel, not its guild). */
  readonly #channelGuild = new Map<string, string>();
  /** Guild ids deleted while a load was running: the load's result is dropped. */
  readonly #deleted = new Set<string>();
  /**
   * Every stored guild is loaded here ({@link GuildCache.loadAll}) and none forgotten since: guilds created later are
   * added by their `created` change on every node, deleted ones dropped, so a user's guilds can be read from memory.
   */
  #complete = false;

  constructor(
    private readonly repo: CommunityRepository,
    private readonly users: UserCache,
  ) {}

  /** The state when loaded (the fan-out path's synchronous answer), else undefined. */
  peek(guildId: string): GuildState | undefined {
    return this.#states.get(guildId);
  }

  /** The guild's state, loaded if needed; null when there is no such guild. */
  load(guildId: string): Promise<GuildState | null> | GuildState {
    const loaded = this.#states.get(guildId);
    if (loaded) return loaded;
    let pending = this.#loading.get(guildId);
    if (!pending) {
      this.#deleted.delete(guildId);
      pending = this.#read(guildId).finally(() => this.#loading.delete(guildId));
      this.#loading.set(guildId, pending);
    }
    return pending;
  }

  /**
   * Loads every stored guild when there are at most {@link MEMORY_GUILDS}; true when all are now held (then
   * {@link GuildCache.guildsOf} answers from memory). Call once subscribed to the cluster's changes (Community.attach):
   * a guild created on another node before that would be missed.
   */
  async loadAll(): Promise<boolean> {
    if ((await this.repo.count('guild', GUILD_PARTITION)) > MEMORY_GUILDS) return false;
    const guilds = await this.repo.all('guild', GUILD_PARTITION);
    if (guilds.length > MEMORY_GUILDS) return false;
    for (const guild of guilds) await this.load(guild.id);
    this.#complete = true;
    return true;
  }

  /**
   * The ids of the guilds the user is a member of, read from the loaded guilds' members (the state every membership
   * change already updates, on every node: ClusterSync.ts), in the store's order (by id); null unless every guild is
   * held here ({@link GuildCache.loadAll}) and they are few enough to look through. No index of its own: a map of
   * user → guilds cost ~45 bytes a user, this a map lookup per guild per Identify.
   */
  guildsOf(userId: string): string[] | null {
    if (!this.#complete || this.#states.size > MEMORY_GUILDS) return null;
    const out: string[] = [];
    for (const state of this.#states.values()) if (state.members.has(userId)) out.push(state.id);
    if (out.length > 1) out.sort(bySnowflake);
    return out;
  }

  /** The guild's state; UnknownEntityError (10004) when there is none. */
  async require(guildId: string): Promise<GuildState> {
    const state = await this.load(guildId);
    if (!state) throw new UnknownEntityError('guild');
    return state;
  }

  /**
   * The guild a channel belongs to: `null` for a DM or group DM, undefined when there is no such channel. Answers
   * from memory for loaded guilds, from the store otherwise.
   */
  async locateChannel(channelId: string): Promise<string | null | undefined> {
    const known = this.#channelGuild.get(channelId);
    if (known !== undefined) return known;
    const found = await this.repo.find('channel', channelId);
    if (!found) return undefined;
    return found.partition === DM_PARTITION ? null : found.partition;
  }

  /** Applies one change to the loaded state it concerns; a guild not loaded here is left to load fresh later. */
  apply(change: StateChange): void {
    if (change.type === 'user') {
      this.users.set(change.user);
      for (const state of this.#states.values()) state.setUser(change.user);
      return;
    }
    if (change.type === 'guild') {
      const state = this.#states.get(change.guild.id);
      if (state) state.setGuild(change.guild);
      else if (change.created === true) {
        // A load in flight may have read the store before the guild was there: it reads again (see #read).
        if (this.#loading.has(change.guild.id)) this.#deleted.add(change.guild.id);
        else this.#states.set(change.guild.id, new GuildState(change.guild));
      }
      return;
    }
    if (change.type === 'guildDelete') {
      const state = this.#states.get(change.guildId);
      if (state) for (const id of state.channels.keys()) this.#channelGuild.delete(id);
      this.#states.delete(change.guildId);
      if (this.#loading.has(change.guildId)) this.#deleted.add(change.guildId);
      return;
    }
    const state = this.#states.get(change.guildId);
    if (!state) {
      // A load in flight may have read the store before this change: read again once it ends.
      if (this.#loading.has(change.guildId)) this.#deleted.add(change.guildId);
      return;
    }
    switch (change.type) {
      case 'channel':
        state.setChannel(change.channel);
        this.#channelGuild.set(change.channel.id, change.guildId);
        break;
      case 'channelDelete':
        state.deleteChannel(change.channelId);
        this.#channelGuild.delete(change.channelId);
        break;
      case 'role':
        state.setRole(change.role);
        break;
      case 'roleDelete':
        state.deleteRole(change.roleId);
        break;
      case 'member':
        this.users.set(change.user);
        state.setMember(change.member, change.user);
        break;
      case 'memberDelete':
        state.deleteMember(change.userId);
        break;
      case 'threadMember':
        state.setThreadMember(change.threadId, change.userId, change.added);
        break;
      case 'emoji':
        state.setEmoji(change.emoji);
        break;
      case 'emojiDelete':
        state.deleteEmoji(change.emojiId);
        break;
      case 'voice':
        break;
    }
  }

  /** Forgets every loaded guild (tests; a node that lost the broker and may have missed changes). */
  clear(): void {
    this.#states.clear();
    this.#complete = false;
  }

  async #read(guildId: string): Promise<GuildState | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const guild = await this.repo.get('guild', GUILD_PARTITION, guildId);
      if (!guild) {
        // Created meanwhile (its `created` change came during the read): read again.
        if (this.#deleted.delete(guildId) && attempt < 2) continue;
        return null;
      }
      const [roles, channels, members, emojis] = await Promise.all([
        this.repo.all('role', guildId),
        this.repo.all('channel', guildId),
        this.repo.all('member', guildId),
        this.repo.all('emoji', guildId),
      ]);
      const users = await this.users.getMany(members.map((m) => m.user_id));
      const threadMembers = new Map<string, string[]>();
      for (const channel of channels) {
        if (isThread(channel.type))
          threadMembers.set(
            channel.id,
            (await this.repo.all('thread-member', channel.id)).map((m) => m.user_id),
          );
      }
      // Changed while reading: read again (twice at most; a guild changing that fast is read as the last read saw it).
      if (this.#deleted.delete(guildId) && attempt < 2) continue;
      const state = new GuildState(guild);
      for (const role of roles) state.setRole(role);
      for (const channel of channels) {
        state.setChannel(channel);
        this.#channelGuild.set(channel.id, guildId);
      }
      for (const emoji of emojis) state.setEmoji(emoji);
      for (const [threadId, userIds] of threadMembers)
        for (const userId of userIds) state.setThreadMember(threadId, userId, true);
      for (const member of members) {
        const user = users.get(member.user_id) ?? placeholderUser(member.user_id);
        state.setMember(member, user);
      }
      this.#states.set(guildId, state);
      return state;
    }
    return null;
  }
}

/**
 * The most guilds {@link GuildCache.loadAll} loads and {@link GuildCache.guildsOf} looks through (a map lookup each,
 * a few µs for all of them): past it a user's guilds are read from the store (an index read, ~16 µs on SQLite).
 */
const MEMORY_GUILDS = 128;

/** Snowflake order (the store's): shorter ids first, then by digits. */
function bySnowflake(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A member whose user record is gone (deleted account): Discord shows "Deleted User". */
function placeholderUser(id: string): UserRecord {
  return { id, username: 'Deleted User', discriminator: '0', global_name: null, avatar: null, bot: false };
}
