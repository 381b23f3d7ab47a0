import type {
  ChannelRecord,
  EmojiRecord,
  GuildRecord,
  MemberRecord,
  RoleRecord,
  UserRecord,
} from '../model/records.js';

/**
 * One change of the in-memory guild state, as every node applies it: the node that made the change applies it at once
 * and publishes it on the broker's community topic; the other nodes apply the same object when it arrives (see
 * ClusterSync.ts). Plain JSON, so a Redis or NATS broker carries it as it is.
 */
export type StateChange =
  /** `created`: a new guild, which every node may hold at once; an update of a guild not loaded is left to a later load. */
  | { type: 'guild'; guild: GuildRecord; created?: boolean }
  | { type: 'guildDelete'; guildId: string; memberIds: string[] }
  | { type: 'channel'; guildId: string; channel: ChannelRecord }
  | { type: 'channelDelete'; guildId: string; channelId: string }
  | { type: 'role'; guildId: string; role: RoleRecord }
  | { type: 'roleDelete'; guildId: string; roleId: string }
  | { type: 'member'; guildId: string; member: MemberRecord; user: UserRecord; joined?: boolean }
  | { type: 'memberDelete'; guildId: string; userId: string }
  | { type: 'emoji'; guildId: string; emoji: EmojiRecord }
  | { type: 'emojiDelete'; guildId: string; emojiId: string }
  | { type: 'threadMember'; guildId: string; threadId: string; userId: string; added: boolean }
  /**
   * Server-side voice moderation, carried out by whichever node holds the user's voice session: a move (`channelId`
   * a voice channel), a disconnect (`channelId` null), or a refresh of server mute/deafen (`channelId` absent).
   */
  | { type: 'voice'; guildId: string; userId: string; channelId?: string | null }
  | { type: 'user'; user: UserRecord };
