import { describe, expect, it } from 'vitest';
import type { MemberQuery } from '../src/Directory.js';
import { createMemberRequestHandler } from '../src/members/createMemberRequestHandler.js';
import { MemberRequestLimiter } from '../src/members/MemberRequestLimiter.js';
import type { GuildMemberData, PresenceData, SessionInfo } from '../src/types.js';

const GUILD = '81384788765712384';
const GUILD_MEMBERS = 1 << 1;
const GUILD_PRESENCES = 1 << 8;

const list: GuildMemberData[] = Array.from({ length: 1200 }, (_, i) => ({
  user: { id: String(5000 + i), username: `user${i}` },
  roles: [],
  joined_at: '2020-01-01T00:00:00.000Z',
}));

const directory = {
  members(_guildId: string, q: MemberQuery) {
    if (q.userIds) return list.filter((m) => q.userIds?.includes(m.user.id));
    const out = list.filter((m) => m.user.username.startsWith(q.query ?? ''));
    return q.limit > 0 ? out.slice(0, q.limit) : out;
  },
  presences(_guildId: string, ids?: string[]): PresenceData[] {
    return (ids ?? []).map((id) => ({ user: { id }, status: 'online', activities: [] }));
  },
  canView(userId: string) {
    return userId !== 'stranger';
  },
};

function session(intents: number, over: Partial<SessionInfo> = {}): SessionInfo {
  return { sessionId: 's', userId: 'bot', intents, shard: [0, 1], ...over };
}

describe('createMemberRequestHandler', () => {
  it('answers a whole-list request in chunks, then rate limits the next one', async () => {
    let now = 0;
    const handler = createMemberRequestHandler({ directory, limiter: new MemberRequestLimiter({ now: () => now }) });
    const first = await handler.handle(session(GUILD_MEMBERS), { guild_id: GUILD, query: '', limit: 0, nonce: 'a' });
    expect(first.type).toBe('dispatch');
    if (first.type !== 'dispatch') return;
    expect(first.events.map((e) => e.t)).toEqual(['GUILD_MEMBERS_CHUNK', 'GUILD_MEMBERS_CHUNK']);
    now = 5000;
    const second = await handler.handle(session(GUILD_MEMBERS), { guild_id: GUILD, query: '', limit: 0, nonce: 'b' });
    expect(second).toEqual({
      type: 'dispatch',
      events: [{ t: 'RATE_LIMITED', d: { opcode: 8, retry_after: 25, meta: { guild_id: GUILD, nonce: 'b' } } }],
    });
    // Prefix queries are not whole-list requests.
    const prefix = await handler.handle(session(GUILD_MEMBERS), { guild_id: GUILD, query: 'user1', limit: 5 });
    expect(prefix.type === 'dispatch' && prefix.events[0]?.t).toBe('GUILD_MEMBERS_CHUNK');
  });

  it('stays silent without GUILD_MEMBERS, on another shard, or for a non-member', async () => {
    const handler = createMemberRequestHandler({ directory });
    const silent = { type: 'dispatch', events: [] };
    expect(await handler.handle(session(0), { guild_id: GUILD, query: '', limit: 0 })).toEqual(silent);
    const otherShard = session(GUILD_MEMBERS, { shard: [1, 2] });
    // (81384788765712384 >> 22) % 2 === 0
    expect(await handler.handle(otherShard, { guild_id: GUILD, query: 'user', limit: 1 })).toEqual(silent);
    const stranger = session(GUILD_MEMBERS, { userId: 'stranger' });
    expect(await handler.handle(stranger, { guild_id: GUILD, query: 'user', limit: 1 })).toEqual(silent);
  });

  it('closes with 4002 on a malformed request', async () => {
    const handler = createMemberRequestHandler({ directory });
    const r = await handler.handle(session(GUILD_MEMBERS), { guild_id: 'nope', query: '' });
    expect(r).toMatchObject({ type: 'close', code: 4002 });
  });

  it('includes presences only with GUILD_PRESENCES', async () => {
    const handler = createMemberRequestHandler({ directory });
    const ids = ['5000', '5001', '1'];
    const without = await handler.handle(session(0), { guild_id: GUILD, user_ids: ids, presences: true });
    const withP = await handler.handle(session(GUILD_PRESENCES), { guild_id: GUILD, user_ids: ids, presences: true });
    const d = (r: typeof without) => (r.type === 'dispatch' ? (r.events[0]?.d as Record<string, unknown>) : {});
    expect(d(without).presences).toBeUndefined();
    expect(d(without).not_found).toEqual(['1']);
    expect(d(withP).presences).toHaveLength(2);
  });
});
