import type { ChannelData, RoleData, UserData } from '@concord/gateway-server';

/**
 * What the community model keeps in the entity store, one record type per kind. Fields are Discord's (snake_case,
 * snowflakes as strings, timestamps as ISO strings) so the gateway-server serializers build wire objects from them
 * without a mapping layer; the records hold what Discord's objects hold, minus what is joined in on the way out
 * (a member's user, a guild's roles and channels).
 */

/** A user account (`kind 'user'`, partition {@link USER_PARTITION}). */
export type UserRecord = UserData & {
  username: string;
  global_name: string | null;
  avatar: string | null;
  bot: boolean;
};

/** A guild's own fields (`kind 'guild'`, partition {@link GUILD_PARTITION}); roles, channels and members are records of their own. */
export interface GuildRecord {
  id: string;
  name: string;
  owner_id: string;
  icon: string | null;
  description: string | null;
  verification_level: number;
  default_message_notifications: number;
  explicit_content_filter: number;
  afk_channel_id: string | null;
  afk_timeout: number;
  system_channel_id: string | null;
  system_channel_flags: number;
  rules_channel_id: string | null;
  public_updates_channel_id: string | null;
  preferred_locale: string;
  features: string[];
  [key: string]: unknown;
}

/** A guild role (`kind 'role'`, partition = guild id); the @everyone role's id is the guild's. */
export type RoleRecord = RoleData & {
  color: number;
  hoist: boolean;
  mentionable: boolean;
  managed: boolean;
  icon: string | null;
  unicode_emoji: string | null;
  flags: number;
};

/** One permission overwrite as Discord sends it (`allow`/`deny` decimal strings). */
export interface OverwriteRecord {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

/**
 * A channel (`kind 'channel'`, partition = guild id, or {@link DM_PARTITION} for DMs and group DMs). DMs keep
 * `recipient_ids`; threads keep `parent_id`, `owner_id` and `thread_metadata`.
 */
export type ChannelRecord = ChannelData & {
  permission_overwrites?: OverwriteRecord[];
  recipient_ids?: string[];
};

/** A guild member (`kind 'member'`, partition = guild id, id = ref = user id). */
export interface MemberRecord {
  user_id: string;
  nick: string | null;
  avatar: string | null;
  roles: string[];
  joined_at: string;
  deaf: boolean;
  mute: boolean;
  flags: number;
  pending: boolean;
  communication_disabled_until: string | null;
  /** Joined through a temporary invite: removed when they go offline without a role (Discord's rule). */
  temporary?: boolean;
}

/** A ban (`kind 'ban'`, partition = guild id, id = user id). */
export interface BanRecord {
  user_id: string;
  reason: string | null;
}

/** An invite (`kind 'invite'`, partition = guild id, id = code; found by code alone). */
export interface InviteRecord {
  code: string;
  guild_id: string;
  channel_id: string;
  inviter_id: string | null;
  max_age: number;
  max_uses: number;
  temporary: boolean;
  uses: number;
  created_at: string;
}

/** A custom emoji (`kind 'emoji'`, partition = guild id). */
export interface EmojiRecord {
  id: string;
  name: string;
  roles: string[];
  user_id: string | null;
  require_colons: boolean;
  managed: boolean;
  animated: boolean;
  available: boolean;
  /** Where the image is in the blob store (not part of Discord's object). */
  image_key?: string;
}

/** One audit log entry (`kind 'audit'`, partition = guild id, id = entry id). */
export interface AuditLogRecord {
  id: string;
  guild_id: string;
  user_id: string | null;
  target_id: string | null;
  action_type: number;
  changes?: { key: string; old_value?: unknown; new_value?: unknown }[];
  options?: Record<string, string>;
  reason?: string;
}

/** One pinned message (`kind 'pin'`, partition = channel id, id = message id). */
export interface PinRecord {
  message_id: string;
  pinned_at: string;
}

/** The users of one reaction (`kind 'reaction'`, partition = `<message id>:<emoji key>`, id = user id). */
export interface ReactionUserRecord {
  user_id: string;
}

/** One emoji's reaction on a message (`kind 'reaction-emoji'`, partition = message id, id = emoji key). */
export interface ReactionEmojiRecord {
  emoji: { id: string | null; name: string | null; animated?: boolean };
  count: number;
  /** Order of first reaction (Discord lists reactions in the order they were first added). */
  first_at: number;
}

/** A thread member (`kind 'thread-member'`, partition = thread id, id = ref = user id). */
export interface ThreadMemberRecord {
  user_id: string;
  join_timestamp: string;
  flags: number;
}

/** A DM channel's link from a user (`kind 'dm-link'`, partition = user id, id = channel id; ref = the other user). */
export interface DmLinkRecord {
  channel_id: string;
}

/** When a user last posted in a slowmode channel (`kind 'slowmode'`, partition = channel id, id = user id). */
export interface SlowmodeRecord {
  last_at: number;
}

export const USER_PARTITION = 'users';
export const GUILD_PARTITION = 'guilds';
export const DM_PARTITION = 'dm';

/**
 * A block (`kind 'relationship'`, partition the blocker, id the blocked user): Discord's relationship of type 2.
 * Only blocks are kept; friends and requests are not part of this model.
 */
export interface RelationshipRecord {
  type: 2;
  /** When the block was made (ISO). */
  since: string;
}
