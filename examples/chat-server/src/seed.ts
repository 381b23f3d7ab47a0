import type { ChannelData, GuildMemberData, GuildSnapshot, RoleData, UserData } from '@concord/gateway-server';

/** Fixed ids of the seeded guild, so bots and bookmarks survive restarts. */
export const LOBBY_ID = '1200000000000000000';
export const GENERAL_TEXT_ID = '1200000000000000001';
export const GENERAL_VOICE_ID = '1200000000000000002';
/** The server itself owns the guild (nobody gets owner powers through dev auth). */
export const SYSTEM_USER_ID = '1200000000000000003';

/** VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | CONNECT | SPEAK | ADD_REACTIONS | EMBED_LINKS | ATTACH_FILES. */
export const EVERYONE_PERMISSIONS = (
  (1n << 10n) |
  (1n << 11n) |
  (1n << 16n) |
  (1n << 20n) |
  (1n << 21n) |
  (1n << 6n) |
  (1n << 14n) |
  (1n << 15n)
).toString();

export const lobbyChannels: ChannelData[] = [
  {
    id: GENERAL_TEXT_ID,
    type: 0,
    guild_id: LOBBY_ID,
    name: 'general',
    position: 0,
    permission_overwrites: [],
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: null,
  },
  {
    id: GENERAL_VOICE_ID,
    type: 2,
    guild_id: LOBBY_ID,
    name: 'General',
    position: 1,
    permission_overwrites: [],
    bitrate: 64000,
    user_limit: 0,
    parent_id: null,
    rtc_region: null,
  },
];

export const lobbyRoles: RoleData[] = [
  {
    id: LOBBY_ID,
    name: '@everyone',
    permissions: EVERYONE_PERMISSIONS,
    position: 0,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: false,
    flags: 0,
  },
];

/**
 * The Lobby's guild settings: one place for what GUILD_CREATE and `GET /guilds/:id` show (both are built from it by
 * the serializers of @concord/gateway-server/serialize, which fill Discord's defaults for anything not set here).
 */
export const lobbyGuild = {
  id: LOBBY_ID,
  name: 'Lobby',
  owner_id: SYSTEM_USER_ID,
  afk_timeout: 300,
  preferred_locale: 'en-US',
  channels: lobbyChannels,
  roles: lobbyRoles,
  members: [],
} as const satisfies GuildSnapshot;

export function lobbySnapshot(members: GuildMemberData[]): GuildSnapshot {
  return { ...lobbyGuild, members };
}

export function memberOf(user: UserData, joinedAt: string): GuildMemberData {
  return { user, nick: null, roles: [], joined_at: joinedAt, deaf: false, mute: false, flags: 0, pending: false };
}
