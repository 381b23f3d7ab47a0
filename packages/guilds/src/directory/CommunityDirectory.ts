import type {
  ChannelPermissions,
  Directory,
  GuildMemberData,
  GuildSnapshot,
  MemberQuery,
  PresenceData,
  VoiceStateData,
} from '@concord/gateway-server';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import type { GuildCache } from '../state/GuildCache.js';
import type { GuildState } from '../state/GuildState.js';
import type { CommunityRepository } from '../store/CommunityRepository.js';

/**
 * The gateway's `Directory` over the community model, so a `GatewayServer` needs no glue: `new GatewayServer({
 * directory: community.directory, … })`. Loaded guilds answer synchronously (the fan-out's `canView` is a map lookup in
 * the guild's permission cache, invalidated by every role, overwrite and member change on any node); a guild not yet
 * loaded answers with a promise once. Presences and voice states are live, per node, as the gateway reports them.
 */
export class CommunityDirectory implements Directory {
  readonly #presences = new Map<string, PresenceData>();
  readonly #voiceStates = new Map<string, Map<string, VoiceStateData>>();
  /** Per guild snapshot (a new one per change), the view handed to the gateway. */
  readonly #views = new WeakMap<GuildSnapshot, GuildSnapshot>();

  constructor(
    private readonly guilds: GuildCache,
    private readonly repo: CommunityRepository,
    /** Told when a user's last session on this node goes offline (temporary memberships end then). */
    private readonly onOffline: (userId: string) => void = () => undefined,
  ) {}

  guildsOf(userId: string): string[] | Promise<string[]> {
    // From memory when every guild is held here (GuildCache.loadAll): the store's read was ~16 µs of an Identify.
    const held = this.guilds.guildsOf(userId);
    if (held !== null) return held;
    // The memberships' partitions alone (no member record read or decoded); built by push loops, not `map`: map
    // inlined by TurboFan makes a holey array where the builtin makes a packed one, and the gateway's Identify
    // handler, optimized for one, deoptimized when this tiered up and handed it the other.
    return this.repo.partitionsByRef('member', userId);
  }

  guild(guildId: string): GuildSnapshot | null | Promise<GuildSnapshot | null> {
    const state = this.guilds.load(guildId);
    if (state instanceof Promise) return state.then((s) => (s ? this.#snapshot(s) : null));
    return this.#snapshot(state);
  }

  members(guildId: string, query: MemberQuery): GuildMemberData[] | Promise<GuildMemberData[]> {
    const state = this.guilds.load(guildId);
    if (state instanceof Promise) return state.then((s) => (s ? findMembers(s, query) : []));
    return findMembers(state, query);
  }

  presences(guildId: string, userIds?: string[]): PresenceData[] {
    const state = this.guilds.peek(guildId);
    if (!state) return [];
    const out: PresenceData[] = [];
    for (const id of userIds ?? state.members.keys()) {
      if (!state.members.has(id)) continue;
      const presence = this.#presences.get(id);
      if (presence) out.push({ ...presence, guild_id: guildId });
    }
    return out;
  }

  canView(userId: string, guildId: string, channelId?: string | null): boolean | Promise<boolean> {
    const state = this.guilds.peek(guildId);
    if (!state) {
      const loading = this.guilds.load(guildId);
      return Promise.resolve(loading).then((s) => (s ? view(s, userId, channelId) : false));
    }
    return view(state, userId, channelId);
  }

  /** Every member sees the channel (see GuildState.everyMemberCanView); false while the guild is not loaded. */
  everyMemberCanView(guildId: string, channelId: string): boolean {
    return this.guilds.peek(guildId)?.everyMemberCanView(channelId) === true;
  }

  /** The few members who see a hidden channel (see GuildState.channelViewers); null while the guild is not loaded. */
  channelViewers(guildId: string, channelId: string): readonly string[] | null {
    return this.guilds.peek(guildId)?.channelViewers(channelId) ?? null;
  }

  channelPermissions(
    userId: string,
    guildId: string,
    channelId: string,
  ): ChannelPermissions | null | Promise<ChannelPermissions | null> {
    const answer = (state: GuildState | null): ChannelPermissions | null => {
      const channel = state?.channels.get(channelId);
      const permissions = state?.permissionsOf(userId, channelId);
      if (!channel || permissions == null) return null;
      return { type: channel.type, permissions };
    };
    const state = this.guilds.load(guildId);
    return state instanceof Promise ? state.then(answer) : answer(state);
  }

  setPresence(userId: string, presence: PresenceData): void {
    if (presence.status === 'offline' || presence.status === 'invisible') {
      this.#presences.delete(userId);
      if (presence.status === 'offline') this.onOffline(userId);
    } else this.#presences.set(userId, presence);
  }

  setVoiceState(guildId: string, state: VoiceStateData): void {
    let states = this.#voiceStates.get(guildId);
    if (state.channel_id === null) {
      states?.delete(state.user_id);
      return;
    }
    if (!states) {
      states = new Map();
      this.#voiceStates.set(guildId, states);
    }
    states.set(state.user_id, state);
  }

  #snapshot(state: GuildState): GuildSnapshot {
    const snapshot = state.snapshot();
    let view = this.#views.get(snapshot);
    if (!view) {
      view = this.#view(state.id, snapshot);
      this.#views.set(snapshot, view);
    }
    return view;
  }

  /**
   * The guild's snapshot with this node's live presences and voice states, both read when used: presences walk every
   * member, which only sessions with GUILD_PRESENCES need. One view per guild version, shared by every Identify; the
   * snapshot's properties are copied as they are defined, so its member list stays unbuilt until something reads it.
   */
  #view(guildId: string, snapshot: GuildSnapshot): GuildSnapshot {
    const voiceStates = this.#voiceStates;
    const view = Object.defineProperties({}, Object.getOwnPropertyDescriptors(snapshot)) as GuildSnapshot;
    return Object.defineProperties(view, {
      presences: { enumerable: true, get: () => this.presences(guildId) },
      voice_states: {
        enumerable: true,
        get: () => {
          const voice = voiceStates.get(guildId);
          return voice ? [...voice.values()] : [];
        },
      },
    });
  }
}

function view(state: GuildState, userId: string, channelId: string | null | undefined): boolean {
  if (channelId == null) return state.members.has(userId);
  const permissions = state.permissionsOf(userId, channelId);
  return permissions !== null && (permissions & PermissionFlagsBits.ViewChannel) !== 0n;
}

function findMembers(state: GuildState, query: MemberQuery): GuildMemberData[] {
  const limit = query.limit > 0 ? query.limit : Number.POSITIVE_INFINITY;
  const out: GuildMemberData[] = [];
  if (query.userIds) {
    for (const id of query.userIds) {
      if (out.length >= limit) break;
      const member = state.members.get(id);
      if (member) out.push(member.data);
    }
    // Exactly sized: an Identify keeps this list (a large guild's own member) in the session's replay descriptor until
    // the first heartbeat, and `push` left room for 16 more (~130 bytes per session).
    return out.slice();
  }
  const prefix = (query.query ?? '').toLowerCase();
  for (const member of state.members.values()) {
    if (out.length >= limit) break;
    const nick = member.record.nick;
    if (
      prefix === '' ||
      member.data.user.username.toLowerCase().startsWith(prefix) ||
      nick?.toLowerCase().startsWith(prefix)
    ) {
      out.push(member.data);
    }
  }
  return out;
}
