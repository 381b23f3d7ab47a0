import type { Directory } from '../Directory.js';
import { readSnowflake } from '../readSnowflake.js';
import type { GuildMemberData, LazyMemberLists, PresenceData, RoleData, SessionInfo } from '../types.js';
import { MemberList } from './MemberList.js';
import type { MemberListUpdate, MemberListUpdateData } from './MemberListOps.js';

export interface LazyMemberListsOptions {
  directory: Pick<Directory, 'guild' | 'canView'>;
  send: (sessionId: string, event: 'GUILD_MEMBER_LIST_UPDATE', data: MemberListUpdateData) => void;
  /**
   * Whether a guild's list shows offline members. Default: below 1000 members, as Discord does (its large guilds list
   * only online members). Decided when the list is built.
   */
  includeOffline?: (memberCount: number) => boolean;
  /** Most ranges per session and guild (default 5). */
  maxRanges?: number;
  /**
   * A `send` to one session threw: the others still get their update. Default: ignored (the server's `send` catches
   * its own failures; this is for custom ones).
   */
  onError?: (error: unknown, sessionId: string) => void;
}

/** The op 14 index, plus the change hooks the core has beyond {@link LazyMemberLists}. */
export interface LazyMemberListIndex extends LazyMemberLists {
  memberAdded(guildId: string, member: GuildMemberData): void;
  /** Nick/roles changed (GUILD_MEMBER_UPDATE). */
  memberUpdated(guildId: string, member: GuildMemberData): void;
  memberRemoved(guildId: string, userId: string): void;
  /** Roles created/updated/deleted (hoist and position decide the groups). */
  rolesUpdated(guildId: string, roles: RoleData[]): void;
  /** The loaded list of a guild, if any session watches it. */
  list(guildId: string): MemberList | undefined;
}

/** Collects `[start, end]` pairs from op 14 `channels: { [channelId]: [[0, 99], ...] }`; anything malformed is skipped. */
function rangesOf(channels: unknown, max: number): [number, number][] {
  const out: [number, number][] = [];
  if (typeof channels !== 'object' || channels === null) return out;
  for (const ranges of Object.values(channels)) {
    if (!Array.isArray(ranges)) continue;
    for (const r of ranges) {
      if (out.length >= max) return out;
      if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'number' && typeof r[1] === 'number') {
        if (!out.some(([s, e]) => s === r[0] && e === r[1])) out.push([r[0], r[1]]);
      }
    }
  }
  return out;
}

/**
 * The op 14 lazy member lists: one {@link MemberList} per guild (list id `everyone`), built from the directory when
 * the first session subscribes and dropped when the last one leaves. Changes for guilds nobody watches cost a map
 * lookup.
 */
export function createLazyMemberLists(options: LazyMemberListsOptions): LazyMemberListIndex {
  const { directory, send } = options;
  const onError = options.onError ?? (() => undefined);
  const maxRanges = options.maxRanges ?? 5;
  const includeOffline = options.includeOffline ?? ((count: number) => count < 1000);
  const lists = new Map<string, MemberList>();
  const loading = new Map<string, Promise<MemberList | undefined>>();
  const sessionsGuilds = new Map<string, Set<string>>();

  // Per recipient: one failing session must not cost the rest of the list's watchers their update.
  const deliver = (list: MemberList, updates: MemberListUpdate[]) => {
    for (const u of updates) {
      try {
        send(u.sessionId, 'GUILD_MEMBER_LIST_UPDATE', list.payload(u.ops));
      } catch (error) {
        onError(error, u.sessionId);
      }
    }
  };

  const load = (guildId: string): Promise<MemberList | undefined> => {
    let pending = loading.get(guildId);
    if (!pending) {
      pending = (async () => {
        const guild = await directory.guild(guildId);
        if (!guild) return undefined;
        const count = guild.member_count ?? guild.members.length;
        const list = new MemberList({ guildId, roles: guild.roles, includeOffline: includeOffline(count), maxRanges });
        const presences = new Map<string, PresenceData>((guild.presences ?? []).map((p) => [p.user.id, p]));
        list.load(guild.members.map((member) => ({ member, presence: presences.get(member.user.id) })));
        return list;
      })().finally(() => loading.delete(guildId));
      loading.set(guildId, pending);
    }
    return pending;
  };

  const leave = (sessionId: string, guildId: string) => {
    const list = lists.get(guildId);
    if (!list) return;
    list.unsubscribe(sessionId);
    if (list.sessions === 0) lists.delete(guildId);
  };

  return {
    async subscribe(session: SessionInfo, request: Record<string, unknown>) {
      const guildId = readSnowflake(request.guild_id);
      if (guildId === null) return;
      if (!('channels' in request)) return;
      const ranges = rangesOf(request.channels, maxRanges);
      if (!(await directory.canView(session.userId, guildId))) return;
      let list = lists.get(guildId);
      if (!list) {
        list = await load(guildId);
        if (!list) return;
        // Another subscribe may have installed the list while this one awaited.
        const current = lists.get(guildId);
        if (current) list = current;
        else lists.set(guildId, list);
      }
      const ops = list.subscribe(session.sessionId, ranges);
      let guilds = sessionsGuilds.get(session.sessionId);
      if (ranges.length === 0) {
        guilds?.delete(guildId);
        if (list.sessions === 0) lists.delete(guildId);
      } else {
        if (!guilds) {
          guilds = new Set();
          sessionsGuilds.set(session.sessionId, guilds);
        }
        guilds.add(guildId);
      }
      if (ops.length > 0) send(session.sessionId, 'GUILD_MEMBER_LIST_UPDATE', list.payload(ops));
    },
    unsubscribe(sessionId: string) {
      const guilds = sessionsGuilds.get(sessionId);
      if (!guilds) return;
      sessionsGuilds.delete(sessionId);
      for (const guildId of guilds) leave(sessionId, guildId);
    },
    presenceUpdated(guildId: string, presence: PresenceData) {
      const list = lists.get(guildId);
      if (list) deliver(list, list.setPresence(presence));
    },
    memberAdded(guildId: string, member: GuildMemberData) {
      const list = lists.get(guildId);
      if (list) deliver(list, list.upsert(member));
    },
    memberUpdated(guildId: string, member: GuildMemberData) {
      const list = lists.get(guildId);
      if (list) deliver(list, list.upsert(member));
    },
    memberRemoved(guildId: string, userId: string) {
      const list = lists.get(guildId);
      if (list) deliver(list, list.remove(userId));
    },
    rolesUpdated(guildId: string, roles: RoleData[]) {
      const list = lists.get(guildId);
      if (list) deliver(list, list.setRoles(roles));
    },
    list(guildId: string) {
      return lists.get(guildId);
    },
  };
}
