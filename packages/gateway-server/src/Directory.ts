import { computeChannelPermissions, findGuildChannel, Permission } from './computeChannelPermissions.js';
import type {
  Awaitable,
  ChannelData,
  GuildMemberData,
  GuildSnapshot,
  PresenceData,
  Snowflake,
  VoiceStateData,
} from './types.js';

/** A members query (op 8): by username/nick prefix, or by ids. */
export interface MemberQuery {
  /** Case-insensitive prefix of username or nick; `''` matches everyone. Ignored when `userIds` is set. */
  query?: string;
  /** Maximum results; 0 = no limit. */
  limit: number;
  userIds?: Snowflake[];
}

/** What {@link Directory.channelPermissions} answers: the channel's type and the member's permission bits in it. */
export interface ChannelPermissions {
  /** Discord channel type (2 = voice, 13 = stage, ...). */
  type: number;
  /** Discord permission bit set after roles and overwrites (0 without VIEW_CHANNEL). */
  permissions: bigint;
}

/**
 * Who is in which guild, and what a guild looks like. The gateway reads it on Identify (guild list + GUILD_CREATE),
 * on op 8 (member queries) and on dispatch (visibility). Methods may be sync or async; sync answers keep the fan-out
 * path free of promise allocations, so in-memory implementations should stay sync.
 *
 * Shape (keep it small — a Redis/SQL directory implements these five):
 * - `guildsOf(userId)` → guild ids the user belongs to
 * - `guild(guildId)` → {@link GuildSnapshot} (channels, roles, members, presences, voice_states) or null
 * - `members(guildId, query)` → members matching a {@link MemberQuery}
 * - `presences(guildId, userIds?)` → non-offline presences
 * - `canView(userId, guildId, channelId?)` → may the user see events of this guild (member) / channel (VIEW_CHANNEL);
 *   false for a channel the guild does not have
 * Optional `channelPermissions` answers op 4 (voice join: CONNECT, SPEAK) in one call; without it the server computes
 * the same from `guild()` and `members()` (see `voiceAccess.ts`). Optional write hooks the server calls when clients change state (op 3 / op 4): `setPresence`, `setVoiceState`.
 */
export interface Directory {
  guildsOf(userId: Snowflake): Awaitable<Snowflake[]>;
  guild(guildId: Snowflake): Awaitable<GuildSnapshot | null>;
  members(guildId: Snowflake, query: MemberQuery): Awaitable<GuildMemberData[]>;
  presences(guildId: Snowflake, userIds?: Snowflake[]): Awaitable<PresenceData[]>;
  canView(userId: Snowflake, guildId: Snowflake, channelId?: Snowflake | null): Awaitable<boolean>;
  /**
   * The member's permissions in a channel of the guild, and the channel's type; null when the user is not a member or
   * the guild has no such channel.
   */
  channelPermissions?(
    userId: Snowflake,
    guildId: Snowflake,
    channelId: Snowflake,
  ): Awaitable<ChannelPermissions | null>;
  /**
   * Optional and synchronous: true only when every member of the guild sees the channel (nothing hides it from anyone,
   * whatever their roles). The fan-out then treats a message to that channel as one to the guild and skips `canView`
   * per recipient; false or absent keeps the per-recipient check. Never true for a channel some member cannot see.
   */
  everyMemberCanView?(guildId: Snowflake, channelId: Snowflake): boolean;
  /**
   * Optional and synchronous: every member who sees the channel, when they are few and the directory can name them
   * (a channel hidden from `@everyone` and opened to members one by one, as a game's party); null otherwise. The
   * fan-out then delivers a message to that channel to those users' sessions in the guild only, instead of asking
   * `canView` for every session of the guild. Must never leave out a member who can see the channel, nor name one
   * who cannot.
   */
  channelViewers?(guildId: Snowflake, channelId: Snowflake): readonly Snowflake[] | null;
  /**
   * Record a user's presence (called on op 3 and on Identify with `presence`, and with status `offline` when the
   * user's last session on this node ends); applies to all of the user's guilds.
   */
  setPresence?(userId: Snowflake, presence: PresenceData): Awaitable<void>;
  /** Record a voice state (called on op 4); `channel_id: null` removes it. */
  setVoiceState?(guildId: Snowflake, state: VoiceStateData): Awaitable<void>;
}

interface StoredGuild {
  /** The guild without members/presences/voice_states (those live in the maps). */
  snapshot: GuildSnapshot;
  members: Map<Snowflake, GuildMemberData>;
  voiceStates: Map<Snowflake, VoiceStateData>;
}

/**
 * The default {@link Directory}: plain maps, synchronous answers. Channel visibility follows Discord's permission
 * rules (owner, ADMINISTRATOR, `@everyone` + role permissions, then `permission_overwrites` of the channel).
 */
export class InMemoryDirectory implements Directory {
  readonly #guilds = new Map<Snowflake, StoredGuild>();
  readonly #userGuilds = new Map<Snowflake, Set<Snowflake>>();
  readonly #presences = new Map<Snowflake, PresenceData>();

  /** Adds or replaces a guild; its `members`, `presences` and `voice_states` are taken in. */
  addGuild(guild: GuildSnapshot): this {
    const { members, presences, voice_states: voiceStates, ...rest } = guild;
    const old = this.#guilds.get(guild.id);
    if (old) for (const userId of old.members.keys()) this.#userGuilds.get(userId)?.delete(guild.id);
    // Own copies of the role list and channel objects: permission conversions are cached per object
    // (computeChannelPermissions.ts), so a caller editing its snapshot in place must not reach them.
    const snapshot = { ...rest, roles: [...rest.roles], channels: rest.channels.map((c) => ({ ...c })), members: [] };
    const stored: StoredGuild = { snapshot, members: new Map(), voiceStates: new Map() };
    this.#guilds.set(guild.id, stored);
    for (const member of members) this.addMember(guild.id, member);
    for (const presence of presences ?? []) this.#presences.set(presence.user.id, presence);
    for (const state of voiceStates ?? []) stored.voiceStates.set(state.user_id, state);
    return this;
  }

  removeGuild(guildId: Snowflake): void {
    const stored = this.#guilds.get(guildId);
    if (!stored) return;
    for (const userId of stored.members.keys()) this.#userGuilds.get(userId)?.delete(guildId);
    this.#guilds.delete(guildId);
  }

  addMember(guildId: Snowflake, member: GuildMemberData): void {
    const stored = this.#guilds.get(guildId);
    if (!stored) throw new Error(`Unknown guild ${guildId}`);
    stored.members.set(member.user.id, member);
    let set = this.#userGuilds.get(member.user.id);
    if (!set) {
      set = new Set();
      this.#userGuilds.set(member.user.id, set);
    }
    set.add(guildId);
  }

  removeMember(guildId: Snowflake, userId: Snowflake): void {
    this.#guilds.get(guildId)?.members.delete(userId);
    this.#userGuilds.get(userId)?.delete(guildId);
  }

  addChannel(guildId: Snowflake, channel: ChannelData): void {
    const stored = this.#guilds.get(guildId);
    if (!stored) throw new Error(`Unknown guild ${guildId}`);
    stored.snapshot.channels = [...stored.snapshot.channels.filter((c) => c.id !== channel.id), channel];
  }

  guildsOf(userId: Snowflake): Snowflake[] {
    return [...(this.#userGuilds.get(userId) ?? [])];
  }

  guild(guildId: Snowflake): GuildSnapshot | null {
    const stored = this.#guilds.get(guildId);
    if (!stored) return null;
    const members = [...stored.members.values()];
    return {
      ...stored.snapshot,
      members,
      member_count: members.length,
      presences: this.presences(guildId),
      voice_states: [...stored.voiceStates.values()],
    };
  }

  members(guildId: Snowflake, query: MemberQuery): GuildMemberData[] {
    const stored = this.#guilds.get(guildId);
    if (!stored) return [];
    const limit = query.limit > 0 ? query.limit : Number.POSITIVE_INFINITY;
    const out: GuildMemberData[] = [];
    if (query.userIds) {
      for (const id of query.userIds) {
        const member = stored.members.get(id);
        if (member) out.push(member);
        if (out.length >= limit) break;
      }
      return out;
    }
    const prefix = (query.query ?? '').toLowerCase();
    for (const member of stored.members.values()) {
      if (out.length >= limit) break;
      if (
        prefix === '' ||
        member.user.username.toLowerCase().startsWith(prefix) ||
        (typeof member.nick === 'string' && member.nick.toLowerCase().startsWith(prefix))
      ) {
        out.push(member);
      }
    }
    return out;
  }

  presences(guildId: Snowflake, userIds?: Snowflake[]): PresenceData[] {
    const stored = this.#guilds.get(guildId);
    if (!stored) return [];
    const out: PresenceData[] = [];
    for (const id of userIds ?? stored.members.keys()) {
      if (!stored.members.has(id)) continue;
      const presence = this.#presences.get(id);
      if (presence && presence.status !== 'offline' && presence.status !== 'invisible') {
        out.push({ ...presence, guild_id: guildId });
      }
    }
    return out;
  }

  /** Member of the guild; with a channel, one of the guild's (a thread: its parent's) with VIEW_CHANNEL. */
  canView(userId: Snowflake, guildId: Snowflake, channelId?: Snowflake | null): boolean {
    if (channelId == null) return this.#guilds.get(guildId)?.members.has(userId) === true;
    const access = this.channelPermissions(userId, guildId, channelId);
    return access !== null && (access.permissions & Permission.ViewChannel) !== 0n;
  }

  channelPermissions(userId: Snowflake, guildId: Snowflake, channelId: Snowflake): ChannelPermissions | null {
    const stored = this.#guilds.get(guildId);
    const member = stored?.members.get(userId);
    if (!stored || !member) return null;
    const found = findGuildChannel(stored.snapshot, channelId);
    if (!found) return null;
    return {
      type: found.channel.type,
      permissions: computeChannelPermissions(stored.snapshot, member, found),
    };
  }

  /** Offline (and invisible, which nobody is shown) drops the stored presence: GUILD_CREATEs then leave it out. */
  setPresence(userId: Snowflake, presence: PresenceData): void {
    if (presence.status === 'offline' || presence.status === 'invisible') this.#presences.delete(userId);
    else this.#presences.set(userId, presence);
  }

  setVoiceState(guildId: Snowflake, state: VoiceStateData): void {
    const stored = this.#guilds.get(guildId);
    if (!stored) return;
    if (state.channel_id === null) stored.voiceStates.delete(state.user_id);
    else stored.voiceStates.set(state.user_id, state);
  }
}
