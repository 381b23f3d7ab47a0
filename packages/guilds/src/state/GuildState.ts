import type { GuildMemberData, GuildSnapshot } from '@concord/gateway-server';
import type { PermissionChannel, PermissionGuild, PermissionMember } from '@concord/protocol/permissions';
import { computePermissions } from '@concord/protocol/permissions';
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import type {
  ChannelRecord,
  EmojiRecord,
  GuildRecord,
  MemberRecord,
  RoleRecord,
  UserRecord,
} from '../model/records.js';
import { isThread } from './channelKinds.js';

/**
 * A member as the state keeps it: the stored record and the gateway's member object (record + user) built once. The
 * member as the permission functions take it is made when read (hierarchy checks, a permission-cache miss): kept, it
 * was one more object per member of every loaded guild (~50 bytes each).
 */
export class MemberEntry {
  readonly record: MemberRecord;
  readonly data: GuildMemberData;

  constructor(record: MemberRecord, data: GuildMemberData) {
    this.record = record;
    this.data = data;
  }

  get permission(): PermissionMember {
    const record = this.record;
    return {
      userId: record.user_id,
      roles: record.roles,
      communicationDisabledUntil: timestamp(record.communication_disabled_until),
    };
  }
}

/**
 * One guild in memory: its record, channels (threads included), roles, members and emoji, as immutable objects that
 * are replaced on change (the gateway's serializers memoize by identity), and a permission cache. Every mutation goes
 * through the methods below, which drop what the change can affect: a role or overwrite change clears every cached
 * permission of the guild, a member's role change only theirs. The cache is what keeps visibility checks on the
 * fan-out path to one map lookup per recipient.
 */
export class GuildState {
  guild: GuildRecord;
  readonly channels = new Map<string, ChannelRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly members = new Map<string, MemberEntry>();
  readonly emojis = new Map<string, EmojiRecord>();
  /** Thread id → the users in it (private threads are visible only to them and to MANAGE_THREADS holders). */
  readonly threadMembers = new Map<string, Set<string>>();
  /** Bumped on every change. */
  #version = 0;
  /** Bumped on every change but a member's: keys the snapshot cache (its member list and count are read live). */
  #shapeVersion = 0;
  #snapshot: { version: number; value: GuildSnapshot } | null = null;
  /** Bumped on a member's change: keys the member list cache. */
  #membersVersion = 0;
  #memberList: { version: number; value: GuildMemberData[] } | null = null;
  #permissionGuild: PermissionGuild | null = null;
  readonly #permissionChannels = new Map<string, PermissionChannel | null>();
  /** User id → channel id (`''` for the guild level) → permissions: a member's change drops only their map. */
  readonly #permissions = new Map<string, Map<string, bigint>>();
  /** Channel id → whether every member sees it ({@link GuildState.everyMemberCanView}); cleared with the permissions. */
  readonly #openChannels = new Map<string, boolean>();
  /** Channel id → its viewers, or null when they are not few ({@link GuildState.channelViewers}); cleared with them. */
  readonly #viewers = new Map<string, readonly string[] | null>();
  /**
   * Holders of a role with ADMINISTRATOR (they see every channel), or null to recompute: cleared when a role or a
   * member's roles change, not when a channel does (a party join must not cost a walk over every member).
   */
  #administrators: Set<string> | null = null;

  constructor(guild: GuildRecord) {
    this.guild = guild;
  }

  get id(): string {
    return this.guild.id;
  }

  get version(): number {
    return this.#version;
  }

  // ── mutations ───────────────────────────────────────────────────────────────────────────────────────────────

  setGuild(guild: GuildRecord): void {
    const ownerChanged = guild.owner_id !== this.guild.owner_id;
    this.guild = guild;
    if (ownerChanged) this.#clearPermissions();
    else this.#changed();
  }

  setChannel(channel: ChannelRecord): void {
    const old = this.channels.get(channel.id);
    this.channels.set(channel.id, channel);
    // Only what permissions read (type, parent, overwrites) empties the cache: a new last_message_id must not.
    if (
      old !== undefined &&
      old.type === channel.type &&
      old.parent_id === channel.parent_id &&
      // Same list (a local last_message_id update keeps it), else the same content (a copy from another node).
      (old.permission_overwrites === channel.permission_overwrites ||
        JSON.stringify(old.permission_overwrites ?? []) === JSON.stringify(channel.permission_overwrites ?? []))
    ) {
      this.#changed();
      return;
    }
    this.#clearPermissions();
  }

  deleteChannel(channelId: string): void {
    this.channels.delete(channelId);
    this.threadMembers.delete(channelId);
    this.#clearPermissions();
  }

  setRole(role: RoleRecord): void {
    this.roles.set(role.id, role);
    this.#administrators = null;
    this.#clearPermissions();
  }

  deleteRole(roleId: string): void {
    this.roles.delete(roleId);
    this.#administrators = null;
    for (const entry of this.members.values()) {
      if (entry.record.roles.includes(roleId)) {
        this.setMember(
          { ...entry.record, roles: entry.record.roles.filter((id) => id !== roleId) },
          entry.data.user as UserRecord,
        );
      }
    }
    this.#clearPermissions();
  }

  setMember(record: MemberRecord, user: UserRecord): MemberEntry {
    const old = this.members.get(record.user_id);
    const { user_id: _userId, temporary: _temporary, ...fields } = record;
    // `user` is added to the rest object itself, not spread with it into a new literal: on Node 20's V8 a literal
    // that spreads an object and adds a property gets a hidden class of its own, so every member of a loaded guild
    // had one (10,491 maps for 10,501 members in a heap snapshot): its map and descriptors, ~340 bytes per member,
    // and an enum cache of ~200 more once the member is serialized (a session's GUILD_CREATE). Added one by one, the
    // properties share the transition tree's maps. The same keys in the same order as before.
    const entry = new MemberEntry(record, Object.assign(fields, { user }));
    this.members.set(record.user_id, entry);
    if (
      old === undefined ||
      old.record.roles !== record.roles ||
      old.record.communication_disabled_until !== record.communication_disabled_until
    ) {
      this.#clearMemberPermissions(record.user_id);
    }
    this.#memberChanged();
    return entry;
  }

  /** A user's profile changed: their member object is rebuilt with the new user. */
  setUser(user: UserRecord): void {
    const entry = this.members.get(user.id);
    if (entry) this.setMember(entry.record, user);
  }

  deleteMember(userId: string): void {
    this.members.delete(userId);
    this.#clearMemberPermissions(userId);
    this.#memberChanged();
  }

  setThreadMember(threadId: string, userId: string, added: boolean): void {
    let members = this.threadMembers.get(threadId);
    if (added) {
      if (!members) {
        members = new Set();
        this.threadMembers.set(threadId, members);
      }
      members.add(userId);
    } else members?.delete(userId);
    this.#clearMemberPermissions(userId);
    this.#changed();
  }

  setEmoji(emoji: EmojiRecord): void {
    this.emojis.set(emoji.id, emoji);
    this.#changed();
  }

  deleteEmoji(emojiId: string): void {
    this.emojis.delete(emojiId);
    this.#changed();
  }

  // ── permissions ─────────────────────────────────────────────────────────────────────────────────────────────

  /** The guild as the permission functions take it (roles with bigint permissions), cached until a role changes. */
  permissionGuild(): PermissionGuild {
    if (this.#permissionGuild === null) {
      this.#permissionGuild = {
        id: this.guild.id,
        ownerId: this.guild.owner_id,
        roles: [...this.roles.values()].map((role) => ({
          id: role.id,
          position: role.position,
          permissions: BigInt(role.permissions),
        })),
      };
    }
    return this.#permissionGuild;
  }

  /**
   * The channel permissions are computed against: the channel itself, or for a thread its parent (with the thread's
   * type, so posting needs SEND_MESSAGES_IN_THREADS). Null for a channel the guild does not have.
   */
  permissionChannel(channelId: string): PermissionChannel | null {
    const cached = this.#permissionChannels.get(channelId);
    if (cached !== undefined) return cached;
    const channel = this.channels.get(channelId);
    let out: PermissionChannel | null = null;
    if (channel) {
      const source =
        isThread(channel.type) && channel.parent_id ? this.channels.get(channel.parent_id as string) : channel;
      out = {
        id: channel.id,
        type: channel.type,
        parentId: (channel.parent_id as string | null | undefined) ?? null,
        permissionOverwrites: (source?.permission_overwrites ?? []).map((o) => ({
          id: o.id,
          type: o.type,
          allow: BigInt(o.allow),
          deny: BigInt(o.deny),
        })),
      };
    }
    this.#permissionChannels.set(channelId, out);
    return out;
  }

  /**
   * The members whose guild permissions include `flag` (the readers of the audit log, say). Only the members who could
   * have it are computed: the owner and holders of a role granting it or ADMINISTRATOR (everyone, when `@everyone`
   * grants it) — each audited action asked every member of the guild before, ~O(members) permission computations.
   */
  membersWithPermission(flag: bigint): string[] {
    const granting = new Set<string>();
    for (const role of this.roles.values()) {
      if ((BigInt(role.permissions) & (flag | PermissionFlagsBits.Administrator)) !== 0n) granting.add(role.id);
    }
    const everyone = granting.has(this.id);
    const owner = this.guild.owner_id;
    const out: string[] = [];
    for (const [userId, entry] of this.members) {
      if (!everyone && userId !== owner && !entry.record.roles.some((r) => granting.has(r))) continue;
      if (((this.permissionsOf(userId) ?? 0n) & flag) !== 0n) out.push(userId);
    }
    return out;
  }

  /**
   * The member's permissions in the guild (no channel) or in a channel; null when the user is not a member or the
   * channel is not the guild's. Cached, except for timed-out members (their permissions change when the timeout ends).
   */
  permissionsOf(userId: string, channelId?: string): bigint | null {
    const key = channelId ?? '';
    const perUser = this.#permissions.get(userId);
    const cached = perUser?.get(key);
    if (cached !== undefined) return cached;
    const member = this.members.get(userId);
    if (!member) return null;
    let channel: PermissionChannel | undefined;
    if (channelId !== undefined) {
      const found = this.permissionChannel(channelId);
      if (found === null) return null;
      channel = found;
    }
    const who = member.permission;
    let permissions = computePermissions(this.permissionGuild(), who, channel);
    // A private thread is seen by its members and by those who manage threads, whatever the parent allows.
    if (
      channel?.type === ChannelType.PrivateThread &&
      (permissions & PermissionFlagsBits.ManageThreads) === 0n &&
      this.threadMembers.get(channel.id)?.has(userId) !== true
    ) {
      permissions = 0n;
    }
    const until = who.communicationDisabledUntil;
    if (until == null || until <= Date.now()) {
      if (perUser) perUser.set(key, permissions);
      else this.#permissions.set(userId, new Map([[key, permissions]]));
    }
    return permissions;
  }

  /**
   * Whether every member of the guild, whatever their roles, sees the channel: `@everyone` has VIEW_CHANNEL there and
   * no overwrite of it (or of a thread's parent) denies VIEW_CHANNEL to anyone. Roles only add to `@everyone`, an
   * overwrite can take VIEW_CHANNEL away only by denying it, and a timeout keeps it, so then nobody is hidden from it
   * and the fan-out can skip the per-recipient check (a message to a public channel of a 10,000-member guild: 10,000
   * lookups fewer). Private threads never qualify (only their members and thread managers see them). Cached per
   * channel until a role, channel or the owner changes; a member's own change cannot alter the answer.
   */
  everyMemberCanView(channelId: string): boolean {
    const cached = this.#openChannels.get(channelId);
    if (cached !== undefined) return cached;
    const channel = this.permissionChannel(channelId);
    let open = false;
    if (channel !== null && channel.type !== ChannelType.PrivateThread) {
      const nobody = { userId: '', roles: [], communicationDisabledUntil: null };
      const everyone = computePermissions(this.permissionGuild(), nobody, channel);
      open =
        (everyone & PermissionFlagsBits.ViewChannel) !== 0n &&
        channel.permissionOverwrites.every((o) => (o.deny & PermissionFlagsBits.ViewChannel) === 0n);
    }
    this.#openChannels.set(channelId, open);
    return open;
  }

  /**
   * The members who see a channel, when they are few and can be named without asking every member: a channel whose
   * `@everyone` overwrite denies VIEW_CHANNEL and that no role overwrite opens again (a party, a staff room opened to
   * members one by one). Then only the owner, administrators and members with an overwrite of their own allowing
   * VIEW_CHANNEL can see it, each checked by the full computation. Null otherwise (a public channel, one opened to a
   * role, a private thread, more than `limit` candidates): the fan-out then checks every recipient. A message to a
   * party of 4 in a guild of 10,000 online players asks 4 permission questions instead of 10,000. Cached per channel
   * until a channel, a role or a member's roles change.
   */
  channelViewers(channelId: string, limit = MAX_NAMED_VIEWERS): readonly string[] | null {
    const cached = this.#viewers.get(channelId);
    if (cached !== undefined) return cached;
    let out: string[] | null = null;
    const channel = this.permissionChannel(channelId);
    const view = PermissionFlagsBits.ViewChannel;
    const overwrites = channel?.permissionOverwrites ?? [];
    // An overwrite's allow wins over its own deny (Discord applies deny, then allow).
    const hidden = overwrites.some(
      (o) => o.id === this.id && o.type === 0 && (o.deny & view) !== 0n && (o.allow & view) === 0n,
    );
    const reopened = overwrites.some((o) => o.type === 0 && o.id !== this.id && (o.allow & view) !== 0n);
    if (channel !== null && channel.type !== ChannelType.PrivateThread && hidden && !reopened) {
      const candidates = new Set<string>([this.guild.owner_id, ...this.#administratorSet()]);
      for (const o of overwrites) if (o.type === 1 && (o.allow & view) !== 0n) candidates.add(o.id);
      if (candidates.size <= limit) {
        out = [];
        for (const userId of candidates)
          if (((this.permissionsOf(userId, channelId) ?? 0n) & view) !== 0n) out.push(userId);
      }
    }
    this.#viewers.set(channelId, out);
    return out;
  }

  #administratorSet(): ReadonlySet<string> {
    if (this.#administrators !== null) return this.#administrators;
    const holders = new Set<string>();
    const admin = this.#adminRoles();
    // `@everyone` with ADMINISTRATOR makes every member one: the caller's limit turns that into "not few".
    if (admin.size > 0)
      for (const [userId, entry] of this.members)
        if (this.#holdsAdministrator(entry.record.roles, admin)) holders.add(userId);
    this.#administrators = holders;
    return holders;
  }

  /** Whether the cache holds anything (tests and the benchmark's cold/warm cases). */
  get cachedPermissions(): number {
    let n = 0;
    for (const perUser of this.#permissions.values()) n += perUser.size;
    return n;
  }

  // ── gateway view ────────────────────────────────────────────────────────────────────────────────────────────

  /** The guild as the gateway's Directory hands it out; rebuilt only after a change. */
  snapshot(): GuildSnapshot {
    if (this.#snapshot?.version === this.#shapeVersion) return this.#snapshot.value;
    const channels: ChannelRecord[] = [];
    const threads: ChannelRecord[] = [];
    for (const channel of this.channels.values()) {
      if (!isThread(channel.type)) channels.push(channel);
      // GUILD_CREATE lists the active threads; private ones reach their members by THREAD_CREATE.
      else if (
        channel.type !== ChannelType.PrivateThread &&
        !(channel.thread_metadata as { archived?: boolean } | undefined)?.archived
      )
        threads.push(channel);
    }
    const state = this;
    const value: GuildSnapshot = {
      ...this.guild,
      channels,
      threads,
      roles: [...this.roles.values()],
      // Discord's emoji objects: the record's bookkeeping (creator id, blob key) stays out of GUILD_CREATE.
      emojis: [...this.emojis.values()].map(({ user_id: _creator, image_key: _key, ...emoji }) => emoji),
      // Read live, and the list built on first read after a member's change: a join does not make a new snapshot
      // (the sessions that identified since keep theirs for Resume), and a large guild's GUILD_CREATE never lists its
      // members, so building the list per join made each first visit O(members) (O(N²) for N newcomers).
      get members(): GuildMemberData[] {
        return state.#members();
      },
      get member_count(): number {
        return state.members.size;
      },
    };
    this.#snapshot = { version: this.#shapeVersion, value };
    return value;
  }

  #members(): GuildMemberData[] {
    if (this.#memberList?.version !== this.#membersVersion) {
      this.#memberList = {
        version: this.#membersVersion,
        value: [...this.members.values()].map((entry) => entry.data),
      };
    }
    return this.#memberList.value;
  }

  #changed(): void {
    this.#version++;
    this.#shapeVersion++;
  }

  #memberChanged(): void {
    this.#version++;
    this.#membersVersion++;
  }

  #clearPermissions(): void {
    this.#permissionGuild = null;
    this.#permissionChannels.clear();
    this.#permissions.clear();
    this.#openChannels.clear();
    this.#viewers.clear();
    this.#changed();
  }

  #clearMemberPermissions(userId: string): void {
    this.#permissions.delete(userId);
    // Their roles (or timeout, or thread membership) may add them to a channel's viewers or take them out of it.
    this.#viewers.clear();
    const administrators = this.#administrators;
    if (administrators === null) return;
    // Kept up to date for this member alone: a player joining the guild must not cost a walk over every member.
    const roles = this.members.get(userId)?.record.roles;
    const admin = roles !== undefined && this.#holdsAdministrator(roles, this.#adminRoles());
    if (admin) administrators.add(userId);
    else administrators.delete(userId);
  }

  /** Ids of the roles granting ADMINISTRATOR, from the roles as permissions are computed (already parsed). */
  #adminRoles(): Set<string> {
    const admin = new Set<string>();
    for (const role of this.permissionGuild().roles)
      if ((role.permissions & PermissionFlagsBits.Administrator) !== 0n) admin.add(role.id);
    return admin;
  }

  #holdsAdministrator(roles: readonly string[], admin: ReadonlySet<string>): boolean {
    return admin.has(this.id) || roles.some((id) => admin.has(id));
  }
}

/** The most viewers {@link GuildState.channelViewers} names; past it, the fan-out checks every recipient. */
export const MAX_NAMED_VIEWERS = 256;

function timestamp(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
