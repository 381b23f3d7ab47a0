import type { Directory } from '../../src/Directory.js';

/**
 * A directory where every user is in one large guild: its snapshot carries no member list (GUILD_CREATE of a large
 * guild has none, as on Discord), only `member_count`.
 */
export function oneGuildDirectory(guildId: string, memberCount: number, channelId: string): Directory {
  return {
    guildsOf: () => [guildId],
    guild: () => ({
      id: guildId,
      name: 'bench',
      channels: [{ id: channelId, type: 0 }],
      roles: [],
      members: [],
      member_count: memberCount,
    }),
    members: () => [],
    presences: () => [],
    canView: () => true,
  };
}
