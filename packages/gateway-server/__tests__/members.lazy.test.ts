import { describe, expect, it } from 'vitest';
import { createLazyMemberLists } from '../src/members/createLazyMemberLists.js';
import type { MemberListUpdateData } from '../src/members/MemberListOps.js';
import type { GuildSnapshot, SessionInfo } from '../src/types.js';

const GUILD = '81384788765712384';

function guild(): GuildSnapshot {
  const members = Array.from({ length: 150 }, (_, i) => ({
    user: { id: String(100 + i), username: `user${String(i).padStart(3, '0')}` },
    roles: i < 3 ? ['7'] : [],
    joined_at: '2020-01-01T00:00:00.000Z',
  }));
  return {
    id: GUILD,
    name: 'g',
    channels: [],
    roles: [{ id: '7', name: 'staff', permissions: '0', position: 1, hoist: true }],
    members,
    presences: members
      .slice(0, 10)
      .map((m) => ({ user: { id: m.user.id }, status: 'online' as const, activities: [] })),
  };
}

function session(id: string): SessionInfo {
  return { sessionId: id, userId: 'u', intents: 0, shard: [0, 1] };
}

describe('createLazyMemberLists', () => {
  it('syncs on subscribe, pushes changes, and drops the list when the last session leaves', async () => {
    const sent: { sessionId: string; data: MemberListUpdateData }[] = [];
    let loads = 0;
    const lists = createLazyMemberLists({
      directory: {
        guild: async () => {
          loads++;
          return guild();
        },
        canView: () => true,
      },
      send: (sessionId, _event, data) => sent.push({ sessionId, data }),
    });
    await Promise.all([
      lists.subscribe(session('a'), { guild_id: GUILD, channels: { '1': [[0, 99]] } }),
      lists.subscribe(session('b'), {
        guild_id: GUILD,
        channels: {
          '1': [
            [0, 99],
            [100, 199],
          ],
        },
      }),
    ]);
    expect(loads).toBe(1);
    expect(sent.map((s) => [s.sessionId, s.data.ops.map((o) => o.op)])).toEqual([
      ['a', ['SYNC']],
      ['b', ['SYNC', 'SYNC']],
    ]);
    const first = sent[0]!.data;
    expect(first).toMatchObject({ guild_id: GUILD, id: 'everyone', member_count: 150, online_count: 10 });
    expect(first.groups).toEqual([
      { id: '7', count: 3 },
      { id: 'online', count: 7 },
      { id: 'offline', count: 140 },
    ]);
    sent.length = 0;
    lists.presenceUpdated(GUILD, { user: { id: '120' }, status: 'online', activities: [] });
    expect(sent.map((s) => s.sessionId).sort()).toEqual(['a', 'b']);
    expect(sent[0]!.data.online_count).toBe(11);
    sent.length = 0;
    lists.unsubscribe('a');
    lists.memberRemoved(GUILD, '149');
    expect(sent.map((s) => s.sessionId)).toEqual(['b']);
    lists.unsubscribe('b');
    expect(lists.list(GUILD)).toBeUndefined();
  });

  it('ignores malformed requests and guilds the user cannot see', async () => {
    const sent: unknown[] = [];
    const lists = createLazyMemberLists({
      directory: { guild: () => guild(), canView: () => false },
      send: (...args) => sent.push(args),
    });
    await lists.subscribe(session('a'), { guild_id: 5, channels: {} });
    await lists.subscribe(session('a'), { guild_id: GUILD, channels: { '1': [[0, 99]] } });
    await lists.subscribe(session('a'), { guild_id: GUILD, channels: 'nope' });
    expect(sent).toEqual([]);
  });
});
