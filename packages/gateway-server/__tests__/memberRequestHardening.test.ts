// Issue #12 item 6: op 8's whole-list rate limit covers every request that costs the whole list, whatever its `limit`.
import { afterEach, describe, expect, it } from 'vitest';
import type { MemberQuery } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import { createMemberRequestHandler } from '../src/members/createMemberRequestHandler.js';
import { MemberRequestLimiter } from '../src/members/MemberRequestLimiter.js';
import { isWholeListRequest, parseMemberRequest } from '../src/members/parseMemberRequest.js';
import type { GuildMemberData, MemberRequestResult, SessionInfo } from '../src/types.js';
import { ALL_NON_PRIVILEGED, connect, GUILD_A, GUILD_MEMBERS, startServer, type TestClient } from './helpers.js';

const GUILD = '81384788765712384';
const list: GuildMemberData[] = Array.from({ length: 300 }, (_, i) => ({
  user: { id: String(5000 + i), username: `user${i}` },
  roles: [],
  joined_at: '2020-01-01T00:00:00.000Z',
}));
const asked: MemberQuery[] = [];
const directory = {
  members(_guildId: string, q: MemberQuery) {
    asked.push(q);
    const out = list.filter((m) => m.user.username.startsWith(q.query ?? ''));
    return q.limit > 0 ? out.slice(0, q.limit) : out;
  },
  presences: () => [],
  canView: () => true,
};
const session: SessionInfo = { sessionId: 's', userId: 'bot', intents: GUILD_MEMBERS, shard: [0, 1] };

const kinds = (r: MemberRequestResult) => (r.type === 'dispatch' ? r.events.map((e) => e.t) : [r.type]);

describe('op 8 whole-list limit', () => {
  it.each([
    [0, 1e9],
    [1e9, 0],
    [1e9, 1e9],
    [101, 5000],
    [0, 101],
  ])('limit %d then limit %d: the second empty-query request within 30 s is RATE_LIMITED', async (first, second) => {
    let now = 0;
    const handler = createMemberRequestHandler({ directory, limiter: new MemberRequestLimiter({ now: () => now }) });
    expect(kinds(await handler.handle(session, { guild_id: GUILD, query: '', limit: first }))).toEqual([
      'GUILD_MEMBERS_CHUNK',
    ]);
    now = 1000;
    expect(kinds(await handler.handle(session, { guild_id: GUILD, query: '', limit: second }))).toEqual([
      'RATE_LIMITED',
    ]);
    now = 31_000;
    expect(kinds(await handler.handle(session, { guild_id: GUILD, query: '', limit: second }))).toEqual([
      'GUILD_MEMBERS_CHUNK',
    ]);
  });

  it('a small empty-query page (limit 1..100) and prefix queries are not whole-list requests', async () => {
    const handler = createMemberRequestHandler({ directory, limiter: new MemberRequestLimiter({ now: () => 0 }) });
    for (let i = 0; i < 5; i++) {
      const r = await handler.handle(session, { guild_id: GUILD, query: '', limit: 100 });
      expect(kinds(r)).toEqual(['GUILD_MEMBERS_CHUNK']);
      expect(r.type === 'dispatch' && (r.events[0]!.d as { members: unknown[] }).members).toHaveLength(100);
      expect(kinds(await handler.handle(session, { guild_id: GUILD, query: 'user1', limit: 1e9 }))).toEqual([
        'GUILD_MEMBERS_CHUNK',
      ]);
    }
  });

  it('clamps the limit of a prefix query to 100 before any directory sees it', async () => {
    const parse = (d: Record<string, unknown>) => {
      const r = parseMemberRequest({ guild_id: GUILD, ...d });
      if (!r.ok) throw r.error;
      return r.request;
    };
    expect(parse({ query: 'user', limit: 1e9 }).limit).toBe(100);
    expect(parse({ query: 'user', limit: 0 }).limit).toBe(100);
    expect(parse({ query: 'user', limit: 7 }).limit).toBe(7);
    asked.length = 0;
    const handler = createMemberRequestHandler({ directory, limiter: new MemberRequestLimiter({ now: () => 0 }) });
    await handler.handle(session, { guild_id: GUILD, query: 'user', limit: 1e9 });
    expect(asked.map((q) => q.limit)).toEqual([100]);
  });

  it('classifies requests by what they cost', () => {
    const parse = (d: Record<string, unknown>) => {
      const r = parseMemberRequest({ guild_id: GUILD, ...d });
      if (!r.ok) throw r.error;
      return r.request;
    };
    expect(isWholeListRequest(parse({ query: '', limit: 0 }))).toBe(true);
    expect(isWholeListRequest(parse({ query: '', limit: 1e9 }))).toBe(true);
    expect(isWholeListRequest(parse({ query: '', limit: 101 }))).toBe(true);
    expect(isWholeListRequest(parse({ query: '', limit: 100 }))).toBe(false);
    expect(isWholeListRequest(parse({ query: 'a', limit: 1e9 }))).toBe(false);
    expect(isWholeListRequest(parse({ user_ids: ['1'], limit: 0 }))).toBe(false);
  });
});

describe('op 8 over a socket', () => {
  let server: GatewayServer | undefined;
  let c: TestClient | undefined;
  afterEach(async () => {
    c?.ws.terminate();
    await server?.close();
  });

  it('limit: 1e9 is rate limited like limit: 0', async () => {
    server = await startServer();
    c = await connect(server);
    await c.ready('1', { intents: ALL_NON_PRIVILEGED | GUILD_MEMBERS });
    c.send({ op: 8, d: { guild_id: GUILD_A, query: '', limit: 1e9, nonce: 'a' } });
    expect((await c.dispatch('GUILD_MEMBERS_CHUNK')).d.members).toHaveLength(3);
    c.send({ op: 8, d: { guild_id: GUILD_A, query: '', limit: 1e9, nonce: 'b' } });
    const limited = await c.dispatch('RATE_LIMITED');
    expect(limited.d).toMatchObject({ opcode: 8, meta: { guild_id: GUILD_A, nonce: 'b' } });
  });
});
