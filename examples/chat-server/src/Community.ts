import { type GatewayServer, type GuildMemberData, InMemoryDirectory, type UserData } from '@concord/gateway-server';
import { serializeMember } from '@concord/gateway-server/serialize';
import { SortedIds } from './SortedIds.js';
import { LOBBY_ID, lobbySnapshot, memberOf } from './seed.js';
import type { UserStore } from './storage.js';

/**
 * Users and the Lobby guild. Every user who logs in becomes a member; members are persisted through the
 * {@link UserStore}, so the guild is rebuilt from the seed + the users table on restart.
 */
export class Community {
  readonly directory = new InMemoryDirectory();
  readonly #users = new Map<string, UserData>();
  /**
   * The Lobby's member ids in id order, kept beside the directory (whose members are in join order) so a page of
   * `GET /guilds/:id/members` costs its own length. Every member is added through this class, so the two agree.
   */
  readonly #memberIds: SortedIds;
  #gateway: GatewayServer | null = null;

  constructor(readonly store: UserStore) {
    const members = store.all().map((u) => {
      const user: UserData = {
        id: u.id,
        username: u.username,
        discriminator: '0',
        global_name: u.username,
        avatar: null,
        bot: u.bot,
      };
      this.#users.set(u.id, user);
      return memberOf(user, u.joinedAt);
    });
    this.directory.addGuild(lobbySnapshot(members));
    this.#memberIds = new SortedIds(members.map((m) => m.user.id));
  }

  attach(gateway: GatewayServer): void {
    this.#gateway = gateway;
  }

  user(id: string): UserData | undefined {
    return this.#users.get(id);
  }

  get memberCount(): number {
    return this.#memberIds.size;
  }

  /** Up to `limit` Lobby members with ids greater than `after`, in id order: O(log n + limit). */
  membersAfter(after: string, limit: number): GuildMemberData[] {
    const ids = this.#memberIds.after(after, limit);
    return ids.length === 0 ? [] : this.directory.members(LOBBY_ID, { limit: ids.length, userIds: ids });
  }

  /** The user with this id, created (and joined to the Lobby) on first sight. */
  ensure(candidate: UserData): UserData {
    const known = this.#users.get(candidate.id);
    if (known) return known;
    const user: UserData = {
      discriminator: '0',
      global_name: candidate.username,
      avatar: null,
      bot: false,
      ...candidate,
    };
    const joinedAt = new Date().toISOString();
    this.#users.set(user.id, user);
    this.store.save({ id: user.id, username: user.username, bot: user.bot ?? false, joinedAt });
    const member = memberOf(user, joinedAt);
    this.directory.addMember(LOBBY_ID, member);
    this.#memberIds.add(user.id);
    this.#gateway?.dispatchToGuild(LOBBY_ID, 'GUILD_MEMBER_ADD', { ...serializeMember(member), guild_id: LOBBY_ID });
    return user;
  }
}
