import { serializeMember } from '../serialize/serializeMember.js';
import type { GuildMemberData, PresenceData, RoleData } from '../types.js';
import { BlockList } from './BlockList.js';
import type {
  MemberListGroup,
  MemberListItem,
  MemberListMember,
  MemberListOp,
  MemberListUpdate,
  MemberListUpdateData,
} from './MemberListOps.js';

export interface MemberListOptions {
  guildId: string;
  /** List id sent to clients (Discord derives it from the channel's permission overwrites); default `'everyone'`. */
  id?: string;
  /** The guild's roles; those with `hoist: true` become groups, highest position first. */
  roles: readonly RoleData[];
  /** Show offline members in an `'offline'` group (Discord drops it in guilds of 1000+ members). Default true. */
  includeOffline?: boolean;
  /** Most ranges a session may watch (default 5). */
  maxRanges?: number;
  /** Target block size of the sorted store (default 512; tests use tiny blocks to exercise splits). */
  blockSize?: number;
}

/** One member's place in the list. The row item is built on first use: most rows of a big list are never sent. */
class Entry {
  #item: { member: MemberListMember } | undefined;

  constructor(
    readonly id: string,
    /** Group rank (index into the group table), or -1 when the member is not shown (offline, offline hidden). */
    readonly group: number,
    /** Lower-cased display name: the sort key inside a group. */
    readonly name: string,
    readonly online: boolean,
    readonly member: GuildMemberData,
    readonly presence: PresenceData | undefined,
  ) {}

  get item(): { member: MemberListMember } {
    if (this.#item === undefined) {
      const presence = this.presence ?? { user: { id: this.id }, status: 'offline' as const, activities: [] };
      this.#item = { member: { ...serializeMember(this.member), presence } };
    }
    return this.#item;
  }
}

interface Subscription {
  /** Merged, sorted, non-adjacent windows. */
  windows: [number, number][];
  /** Length of the session's client-side array, so INSERT/DELETE never splice past its end. */
  clientLength: number;
}

/**
 * A whole-list op. The row is referenced, not built: items are only made for ops a session actually receives, and
 * header counts are read at send time (they are final by then: one change touches one member).
 */
type FullOp = { kind: 'INSERT' | 'UPDATE'; index: number; row: Entry | number } | { kind: 'DELETE'; index: number };

function inWindows(windows: readonly [number, number][], i: number): boolean {
  for (const [s, e] of windows) if (s <= i && i <= e) return true;
  return false;
}

const OFFLINE = new Set(['offline', 'invisible']);

function compareIds(a: string, b: string): number {
  // Snowflakes: a shorter decimal string is a smaller number.
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function compareEntries(a: Entry, b: Entry): number {
  return a.group - b.group || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || compareIds(a.id, b.id);
}

export function memberDisplayName(member: GuildMemberData): string {
  return member.nick ?? member.user.global_name ?? member.user.username;
}

function mergeWindows(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/**
 * One lazily-loaded member sidebar (op 14 → GUILD_MEMBER_LIST_UPDATE).
 *
 * Items are: for each non-empty group in order (hoisted roles by position desc, then `online`, then `offline`), its
 * header `{group}` then its members `{member}` sorted by display name (case-insensitive, then id). Members sit in a
 * {@link BlockList} ordered by (group, name, id), so a change costs a binary search plus a short splice — no re-sort.
 *
 * Every mutation returns, per subscribed session, only the ops its windows need: INSERT/DELETE at or before its last
 * watched index (they shift what it sees), UPDATE inside its windows, and UPDATEs refilling the window edges that a
 * shift exposed. Applying them to a sparse client array reproduces the true list on every watched index.
 */
export class MemberList {
  readonly guildId: string;
  readonly id: string;
  readonly #includeOffline: boolean;
  readonly #maxRanges: number;
  readonly #entries = new Map<string, Entry>();
  readonly #tree: BlockList<Entry>;
  readonly #subs = new Map<string, Subscription>();
  #groupIds: string[] = [];
  #roleRank = new Map<string, number>();
  #counts: number[] = [];
  #online = 0;

  constructor(options: MemberListOptions) {
    this.guildId = options.guildId;
    this.id = options.id ?? 'everyone';
    this.#includeOffline = options.includeOffline ?? true;
    this.#maxRanges = options.maxRanges ?? 5;
    this.#tree = new BlockList<Entry>(compareEntries, options.blockSize ?? 512);
    this.#setGroups(options.roles);
    this.#counts = new Array<number>(this.#groupIds.length).fill(0);
  }

  get memberCount(): number {
    return this.#entries.size;
  }

  get onlineCount(): number {
    return this.#online;
  }

  /** Number of items (headers + shown members). */
  get length(): number {
    let n = 0;
    for (const c of this.#counts) if (c > 0) n += c + 1;
    return n;
  }

  get sessions(): number {
    return this.#subs.size;
  }

  groups(): MemberListGroup[] {
    const out: MemberListGroup[] = [];
    this.#counts.forEach((count, g) => {
      if (count > 0) out.push({ id: this.#groupIds[g]!, count });
    });
    return out;
  }

  /** Wraps ops into the `d` of a GUILD_MEMBER_LIST_UPDATE. */
  payload(ops: MemberListOp[]): MemberListUpdateData {
    return {
      guild_id: this.guildId,
      id: this.id,
      member_count: this.memberCount,
      online_count: this.onlineCount,
      groups: this.groups(),
      ops,
    };
  }

  has(userId: string): boolean {
    return this.#entries.has(userId);
  }

  /** Loads many members at once (sorts once); existing subscriptions are re-synced. */
  load(members: Iterable<{ member: GuildMemberData; presence?: PresenceData }>): MemberListUpdate[] {
    for (const { member, presence } of members) {
      const entry = this.#entry(member, presence);
      const old = this.#entries.get(entry.id);
      if (old?.online) this.#online--;
      if (entry.online) this.#online++;
      this.#entries.set(entry.id, entry);
    }
    return this.#rebuild();
  }

  /**
   * Adds or updates a member. `presence` undefined keeps the member's last presence (offline for a new member).
   */
  upsert(member: GuildMemberData, presence?: PresenceData): MemberListUpdate[] {
    const old = this.#entries.get(member.user.id);
    return this.#apply(old, this.#entry(member, presence ?? old?.presence));
  }

  /** Applies a presence to a known member; unknown users are ignored (returns no updates). */
  setPresence(presence: PresenceData): MemberListUpdate[] {
    const old = this.#entries.get(presence.user.id);
    if (!old) return [];
    return this.#apply(old, this.#entry(old.member, presence));
  }

  remove(userId: string): MemberListUpdate[] {
    const old = this.#entries.get(userId);
    if (!old) return [];
    return this.#apply(old, undefined);
  }

  /** New role set (hoist/position changes move whole groups): rebuilds and re-syncs every subscription. */
  setRoles(roles: readonly RoleData[]): MemberListUpdate[] {
    this.#setGroups(roles);
    for (const [id, e] of this.#entries) this.#entries.set(id, this.#entry(e.member, e.presence));
    return this.#rebuild();
  }

  /** The SYNC op for one range (items clipped to the list's end). */
  sync(range: [number, number]): MemberListOp {
    return { op: 'SYNC', range: [range[0], range[1]], items: this.items(range[0], range[1]) };
  }

  /**
   * Sets the ranges a session watches (replacing earlier ones) and returns what it must receive now: INVALIDATE for
   * ranges it no longer watches, then SYNC for each range. Invalid ranges (not integers, start > end, over 200 items)
   * are dropped; at most `maxRanges` are kept.
   */
  subscribe(sessionId: string, ranges: readonly (readonly [number, number])[]): MemberListOp[] {
    const clean: [number, number][] = [];
    for (const r of ranges) {
      if (clean.length >= this.#maxRanges) break;
      const [s, e] = r;
      if (Number.isSafeInteger(s) && Number.isSafeInteger(e) && s >= 0 && s <= e && e - s < 200) clean.push([s, e]);
    }
    const ops: MemberListOp[] = [];
    const previous = this.#subs.get(sessionId);
    const windows = mergeWindows(clean);
    for (const [s, e] of previous?.windows ?? []) {
      if (!windows.some(([ws, we]) => ws <= s && e <= we)) ops.push({ op: 'INVALIDATE', range: [s, e] });
    }
    let clientLength = previous?.clientLength ?? 0;
    for (const range of clean) {
      const op = this.sync(range);
      if (op.op === 'SYNC' && op.items.length > 0) clientLength = Math.max(clientLength, range[0] + op.items.length);
      ops.push(op);
    }
    if (windows.length === 0) this.#subs.delete(sessionId);
    else this.#subs.set(sessionId, { windows, clientLength });
    return ops;
  }

  unsubscribe(sessionId: string): boolean {
    return this.#subs.delete(sessionId);
  }

  /** Items in [start, end] (clipped). */
  items(start: number, end: number): MemberListItem[] {
    const out: MemberListItem[] = [];
    let offset = 0;
    let rankBase = 0;
    for (let g = 0; g < this.#counts.length && offset <= end; g++) {
      const count = this.#counts[g]!;
      if (count === 0) continue;
      const groupEnd = offset + count; // index of the group's last member
      if (groupEnd >= start) {
        if (offset >= start) out.push(this.#header(g));
        const from = Math.max(start, offset + 1) - offset - 1;
        const to = Math.min(end, groupEnd) - offset; // exclusive, in-group
        for (const e of this.#tree.slice(rankBase + from, rankBase + to)) out.push(e.item);
      }
      offset = groupEnd + 1;
      rankBase += count;
    }
    return out;
  }

  itemAt(index: number): MemberListItem | undefined {
    return this.items(index, index)[0];
  }

  #setGroups(roles: readonly RoleData[]): void {
    const hoisted = roles
      .filter((r) => r.hoist === true)
      .sort((a, b) => b.position - a.position || compareIds(a.id, b.id));
    this.#roleRank = new Map(hoisted.map((r, i) => [r.id, i]));
    this.#groupIds = [...hoisted.map((r) => r.id), 'online', 'offline'];
  }

  #entry(member: GuildMemberData, presence: PresenceData | undefined): Entry {
    const online = presence !== undefined && !OFFLINE.has(presence.status);
    let group: number;
    if (!online) group = this.#includeOffline ? this.#groupIds.length - 1 : -1;
    else {
      group = this.#groupIds.length - 2;
      for (const roleId of member.roles) {
        const rank = this.#roleRank.get(roleId);
        if (rank !== undefined && rank < group) group = rank;
      }
    }
    return new Entry(member.user.id, group, memberDisplayName(member).toLowerCase(), online, member, presence);
  }

  #rowItem(row: Entry | number): MemberListItem {
    return typeof row === 'number' ? this.#header(row) : row.item;
  }

  #header(g: number): MemberListItem {
    return { group: { id: this.#groupIds[g]!, count: this.#counts[g]! } };
  }

  /** Index of the first item of group g (its header). */
  #headerIndex(g: number): number {
    let n = 0;
    for (let i = 0; i < g; i++) {
      const c = this.#counts[i]!;
      if (c > 0) n += c + 1;
    }
    return n;
  }

  /** Index of a shown entry that is in the tree. */
  #indexOf(entry: Entry, rank: number): number {
    let headers = 0;
    for (let i = 0; i <= entry.group; i++) if (this.#counts[i]! > 0) headers++;
    return rank + headers;
  }

  #rebuild(): MemberListUpdate[] {
    this.#counts = new Array<number>(this.#groupIds.length).fill(0);
    const shown: Entry[] = [];
    for (const e of this.#entries.values()) {
      if (e.group < 0) continue;
      shown.push(e);
      this.#counts[e.group]!++;
    }
    shown.sort(compareEntries);
    this.#tree.load(shown);
    const updates: MemberListUpdate[] = [];
    for (const [sessionId, sub] of this.#subs) {
      const ops: MemberListOp[] = sub.windows.map(([s, e]) => this.sync([s, e]));
      for (const op of ops) {
        if (op.op === 'SYNC' && op.items.length > 0) {
          sub.clientLength = Math.max(sub.clientLength, op.range[0] + op.items.length);
        }
      }
      updates.push({ sessionId, ops });
    }
    return updates;
  }

  #apply(old: Entry | undefined, next: Entry | undefined): MemberListUpdate[] {
    const full: FullOp[] = [];
    if (old?.online) this.#online--;
    if (next?.online) this.#online++;
    if (next) this.#entries.set(next.id, next);
    else if (old) this.#entries.delete(old.id);

    const oldShown = old !== undefined && old.group >= 0;
    const newShown = next !== undefined && next.group >= 0;
    if (oldShown && newShown && compareEntries(old, next) === 0) {
      // Same group and name: the row changes in place.
      const rank = this.#tree.replace(next);
      full.push({ kind: 'UPDATE', index: this.#indexOf(next, rank), row: next });
      return this.#dispatch(full);
    }
    const sameGroup = oldShown && newShown && old.group === next.group;
    if (oldShown) {
      const index = this.#indexOf(old, this.#tree.rankOf(old));
      this.#tree.remove(old);
      this.#counts[old.group]!--;
      full.push({ kind: 'DELETE', index });
      if (!sameGroup) {
        const header = this.#headerIndex(old.group);
        if (this.#counts[old.group] === 0) full.push({ kind: 'DELETE', index: header });
        else full.push({ kind: 'UPDATE', index: header, row: old.group });
      }
    }
    if (newShown) {
      const wasEmpty = this.#counts[next.group] === 0;
      const rank = this.#tree.insert(next);
      this.#counts[next.group]!++;
      if (wasEmpty && !sameGroup) {
        full.push({ kind: 'INSERT', index: this.#headerIndex(next.group), row: next.group });
      }
      full.push({ kind: 'INSERT', index: this.#indexOf(next, rank), row: next });
      if (!wasEmpty && !sameGroup) {
        full.push({ kind: 'UPDATE', index: this.#headerIndex(next.group), row: next.group });
      }
    }
    // A row that leaves and comes back at the same index is just an update.
    if (sameGroup && full.length === 2) {
      const [del, ins] = full as [FullOp, FullOp];
      if (del.kind === 'DELETE' && ins.kind === 'INSERT' && del.index === ins.index) {
        full.splice(0, 2, { kind: 'UPDATE', index: ins.index, row: ins.row });
      }
    }
    return this.#dispatch(full);
  }

  /**
   * Turns the whole-list ops of one change into each session's ops. `holes` are watched indices whose client item is
   * unknown after a shift; they are refilled from the final state at the end, so intermediate states never need
   * to be materialised.
   */
  #dispatch(full: FullOp[]): MemberListUpdate[] {
    if (full.length === 0 || this.#subs.size === 0) return [];
    const length = this.length;
    const updates: MemberListUpdate[] = [];
    for (const [sessionId, sub] of this.#subs) {
      const { windows } = sub;
      const maxEnd = windows[windows.length - 1]![1];
      let holes = new Set<number>();
      const ops: MemberListOp[] = [];
      for (const op of full) {
        const i = op.index;
        if (op.kind === 'UPDATE') {
          if (inWindows(windows, i)) {
            ops.push({ op: 'UPDATE', index: i, item: this.#rowItem(op.row) });
            sub.clientLength = Math.max(sub.clientLength, i + 1);
            holes.delete(i);
          }
          continue;
        }
        if (i > maxEnd) continue;
        const next = new Set<number>();
        if (op.kind === 'DELETE') {
          if (i < sub.clientLength) {
            ops.push({ op: 'DELETE', index: i });
            sub.clientLength--;
          }
          for (const h of holes)
            if (h < i) next.add(h);
            else if (h > i) next.add(h - 1);
          for (const [, e] of windows) if (e >= i) next.add(e);
        } else {
          if (i <= sub.clientLength) {
            ops.push({ op: 'INSERT', index: i, item: this.#rowItem(op.row) });
            sub.clientLength++;
          } else {
            // Past the end of what the client holds: nothing there to shift, so a plain write.
            ops.push({ op: 'UPDATE', index: i, item: this.#rowItem(op.row) });
            sub.clientLength = i + 1;
          }
          for (const h of holes)
            if (h < i) next.add(h);
            else if (inWindows(windows, h + 1)) next.add(h + 1);
          for (const [s] of windows) if (s > i) next.add(s);
        }
        holes = next;
      }
      for (const h of [...holes].sort((a, b) => a - b)) {
        if (h >= length) continue;
        const item = this.itemAt(h);
        if (!item) continue;
        ops.push({ op: 'UPDATE', index: h, item });
        sub.clientLength = Math.max(sub.clientLength, h + 1);
      }
      if (ops.length > 0) updates.push({ sessionId, ops });
    }
    return updates;
  }
}

export function createMemberList(options: MemberListOptions): MemberList {
  return new MemberList(options);
}
