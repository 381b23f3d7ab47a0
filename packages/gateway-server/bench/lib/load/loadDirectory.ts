import type { Directory, GuildSnapshot } from '../../../src/index.js';
import { channelId, guildId, userId } from './fixtures.js';

/**
 * The load test's directory (node.ts and the host workers of workers.ts): user `i` is a member of guild `i / guildSize`
 * only, and a guild's snapshot carries no member list (large guilds), so a session costs the session.
 */
export function loadDirectory(guildSize: number): Directory {
  const snapshots = new Map<string, GuildSnapshot>();
  const userBase = BigInt(userId(0));
  const guildBase = BigInt(guildId(0));
  return {
    guildsOf: (user) => [guildId(Math.floor(Number(BigInt(user) - userBase) / guildSize))],
    guild: (id) => {
      let snapshot = snapshots.get(id);
      if (!snapshot) {
        const g = Number(BigInt(id) - guildBase);
        snapshot = {
          id,
          name: `load ${g}`,
          channels: [{ id: channelId(g), type: 0, name: 'general' }],
          roles: [],
          members: [],
          member_count: guildSize,
        } as GuildSnapshot;
        snapshots.set(id, snapshot);
      }
      return snapshot;
    },
    members: () => [],
    presences: () => [],
    canView: () => true,
  };
}
