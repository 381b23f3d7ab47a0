import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMemberChunks } from '../src/members/buildMemberChunks.js';
import { MemberRequestLimiter, memberRequestRateLimited } from '../src/members/MemberRequestLimiter.js';
import { type MemberRequest, parseMemberRequest } from '../src/members/parseMemberRequest.js';
import type { GuildMemberData, PresenceData } from '../src/types.js';

const GUILD = '81384788765712384';

function member(id: string, username: string, nick?: string): GuildMemberData {
  return { user: { id, username }, nick: nick ?? null, roles: [], joined_at: '2020-01-01T00:00:00.000Z' };
}

function members(n: number): GuildMemberData[] {
  return Array.from({ length: n }, (_, i) => member(String(1000 + i), `user${i}`));
}

function req(over: Partial<MemberRequest>): MemberRequest {
  return { guildId: GUILD, query: '', limit: 0, userIds: undefined, presences: false, nonce: undefined, ...over };
}

describe('parseMemberRequest', () => {
  it('accepts the discord.js shapes', () => {
    const q = parseMemberRequest({ guild_id: GUILD, query: '', limit: 0, presences: false, nonce: 'abc' });
    expect(q).toEqual({
      ok: true,
      request: { guildId: GUILD, query: '', limit: 0, userIds: undefined, presences: false, nonce: 'abc' },
    });
    const ids = parseMemberRequest({ guild_id: [GUILD], user_ids: ['1', '2', '1'], limit: 0 });
    expect(ids.ok && ids.request.userIds).toEqual(['1', '2']);
    expect(ids.ok && ids.request.query).toBeUndefined();
    const single = parseMemberRequest({ guild_id: GUILD, user_ids: '5' });
    expect(single.ok && single.request.userIds).toEqual(['5']);
  });

  it('returns typed errors for bad shapes', () => {
    const code = (d: unknown) => {
      const r = parseMemberRequest(d);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code(null)).toBe('INVALID_PAYLOAD');
    expect(code([])).toBe('INVALID_PAYLOAD');
    expect(code({ query: '' })).toBe('INVALID_GUILD_ID');
    expect(code({ guild_id: 'abc', query: '' })).toBe('INVALID_GUILD_ID');
    expect(code({ guild_id: [GUILD, GUILD], query: '' })).toBe('TOO_MANY_GUILDS');
    expect(code({ guild_id: GUILD })).toBe('MISSING_QUERY_OR_USER_IDS');
    expect(code({ guild_id: GUILD, query: 5 })).toBe('INVALID_QUERY');
    // Longer than any username: matches nothing, but is not malformed (the 4096-byte frame cap bounds it).
    expect(code({ guild_id: GUILD, query: 'x'.repeat(101) })).toBe('ok');
    expect(code({ guild_id: GUILD, query: '', limit: -1 })).toBe('INVALID_LIMIT');
    expect(code({ guild_id: GUILD, query: '', limit: 1.5 })).toBe('INVALID_LIMIT');
    expect(code({ guild_id: GUILD, user_ids: ['x'] })).toBe('INVALID_USER_IDS');
  });

  it('drops a nonce over 32 bytes instead of refusing the request', () => {
    const ok = parseMemberRequest({ guild_id: GUILD, query: '', limit: 0, nonce: 'a'.repeat(32) });
    expect(ok.ok && ok.request.nonce).toBe('a'.repeat(32));
    const long = parseMemberRequest({ guild_id: GUILD, query: '', limit: 0, nonce: 'a'.repeat(33) });
    expect(long.ok && long.request.nonce).toBeUndefined();
    // 11 × 3-byte characters = 33 bytes although only 11 UTF-16 units.
    const wide = parseMemberRequest({ guild_id: GUILD, query: '', limit: 0, nonce: '€'.repeat(11) });
    expect(wide.ok && wide.request.nonce).toBeUndefined();
    const num = parseMemberRequest({ guild_id: GUILD, query: '', limit: 0, nonce: 5 });
    expect(num.ok && num.request.nonce).toBeUndefined();
  });

  it('keeps only the first 100 unique user ids', () => {
    const ids = Array.from({ length: 150 }, (_, i) => String(i + 1));
    const r = parseMemberRequest({ guild_id: GUILD, user_ids: ids });
    expect(r.ok && r.request.userIds).toEqual(ids.slice(0, 100));
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), (d) => {
        const r = parseMemberRequest(d);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            guild_id: fc.oneof(fc.constant(GUILD), fc.anything()),
            query: fc.oneof(fc.string(), fc.anything()),
            limit: fc.oneof(fc.nat(), fc.anything()),
            user_ids: fc.oneof(fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String)), fc.anything()),
            nonce: fc.oneof(fc.string(), fc.anything()),
            presences: fc.anything(),
          },
          { requiredKeys: [] },
        ),
        (d) => {
          const r = parseMemberRequest(d);
          if (r.ok) {
            expect(r.request.userIds !== undefined || typeof r.request.query === 'string').toBe(true);
            expect((r.request.userIds ?? []).length).toBeLessThanOrEqual(100);
            if (r.request.nonce !== undefined) expect(Buffer.byteLength(r.request.nonce)).toBeLessThanOrEqual(32);
          } else {
            expect(r.error.code).toMatch(/^[A-Z_]+$/);
          }
        },
      ),
    );
  });
});

describe('buildMemberChunks', () => {
  it('yields one empty chunk for an empty answer', () => {
    const chunks = buildMemberChunks([], req({ nonce: 'n' }));
    expect(chunks).toEqual([{ guild_id: GUILD, members: [], chunk_index: 0, chunk_count: 1, nonce: 'n' }]);
  });

  it('cuts the whole list into chunks of 1000 with contiguous indices', () => {
    const chunks = buildMemberChunks(members(2500), req({}));
    expect(chunks.map((c) => [c.chunk_index, c.chunk_count, c.members.length])).toEqual([
      [0, 3, 1000],
      [1, 3, 1000],
      [2, 3, 500],
    ]);
  });

  it('matches a case-insensitive prefix of username or nick, at most 100', () => {
    const list = [member('1', 'Alice'), member('2', 'bob', 'ALbert'), member('3', 'carol', 'x'), ...members(300)];
    const chunks = buildMemberChunks(list, req({ query: 'al', limit: 10 }));
    expect(chunks[0]?.members.map((m) => m.user.id)).toEqual(['1', '2']);
    const many = buildMemberChunks(list, req({ query: 'USER', limit: 0 }));
    expect(many[0]?.members).toHaveLength(100);
    const capped = buildMemberChunks(list, req({ query: 'user', limit: 1000 }));
    expect(capped[0]?.members).toHaveLength(100);
    const few = buildMemberChunks(list, req({ query: 'user', limit: 7 }));
    expect(few[0]?.members).toHaveLength(7);
  });

  it('honours limit with an empty query', () => {
    expect(buildMemberChunks(members(50), req({ limit: 20 }))[0]?.members).toHaveLength(20);
  });

  it('answers by id with not_found, from an iterable or a map', () => {
    const list = members(10);
    const r = req({ query: undefined, userIds: ['1003', '99', '1001', '98'] });
    for (const source of [list, new Map(list.map((m) => [m.user.id, m]))]) {
      const [chunk] = buildMemberChunks(source, r);
      expect(chunk?.members.map((m) => m.user.id)).toEqual(['1003', '1001']);
      expect(chunk?.not_found).toEqual(['99', '98']);
    }
  });

  it('adds the presences of each chunk when asked', () => {
    const list = members(1500);
    const online = new Map<string, PresenceData>(
      list
        .filter((_, i) => i % 2 === 0)
        .map((m) => [m.user.id, { user: { id: m.user.id }, status: 'online', activities: [] }]),
    );
    const chunks = buildMemberChunks(list, req({ presences: true }), { presences: online });
    expect(chunks[0]?.presences).toHaveLength(500);
    expect(chunks[1]?.presences).toHaveLength(250);
    for (const c of chunks) {
      const ids = new Set(c.members.map((m) => m.user.id));
      for (const p of c.presences ?? []) expect(ids.has(p.user.id)).toBe(true);
    }
    expect(buildMemberChunks(list, req({}), { presences: online })[0]?.presences).toBeUndefined();
  });

  it('property: every selected member in exactly one chunk, sizes bounded, indices contiguous, not_found exact', () => {
    const idArb = fc.integer({ min: 1, max: 400 }).map(String);
    fc.assert(
      fc.property(
        fc.uniqueArray(idArb, { maxLength: 300 }),
        fc.option(fc.uniqueArray(idArb, { maxLength: 100 }), { nil: undefined }),
        fc.integer({ min: 1, max: 1000 }),
        fc.nat({ max: 400 }),
        (ids, userIds, chunkSize, limit) => {
          const list = ids.map((id) => member(id, `u${id}`));
          // Duplicates in the source must not be answered twice.
          const source = [...list, ...list.slice(0, 5)];
          const r = userIds ? req({ query: undefined, userIds }) : req({ limit });
          const chunks = buildMemberChunks(source, r, { chunkSize });
          expect(chunks.length).toBeGreaterThanOrEqual(1);
          chunks.forEach((c, i) => {
            expect(c.chunk_index).toBe(i);
            expect(c.chunk_count).toBe(chunks.length);
            expect(c.members.length).toBeLessThanOrEqual(chunkSize);
            if (i < chunks.length - 1) expect(c.members.length).toBe(chunkSize);
            if (i > 0) expect(c.not_found).toBeUndefined();
          });
          const got = chunks.flatMap((c) => c.members.map((m) => m.user.id));
          expect(new Set(got).size).toBe(got.length);
          const inGuild = new Set(ids);
          if (userIds) {
            expect(new Set(got)).toEqual(new Set(userIds.filter((id) => inGuild.has(id))));
            expect(chunks[0]?.not_found).toEqual(userIds.filter((id) => !inGuild.has(id)));
          } else {
            expect(got).toEqual(ids.slice(0, limit === 0 ? ids.length : limit));
          }
        },
      ),
    );
  });
});

describe('MemberRequestLimiter', () => {
  it('allows one request per key per interval and reports retry_after', () => {
    let now = 1_000_000;
    const limiter = new MemberRequestLimiter({ now: () => now });
    expect(limiter.take('u:g')).toBe(0);
    expect(limiter.take('u:h')).toBe(0);
    now += 10_000;
    expect(limiter.take('u:g')).toBe(20);
    now += 20_000;
    expect(limiter.take('u:g')).toBe(0);
  });

  it('forgets expired keys', () => {
    let now = 0;
    const limiter = new MemberRequestLimiter({ intervalMs: 100, now: () => now });
    for (let i = 0; i < 50; i++) limiter.take(String(i));
    now = 1000;
    limiter.take('x');
    expect(limiter.size).toBe(1);
  });

  it('builds the RATE_LIMITED payload', () => {
    expect(memberRequestRateLimited(GUILD, 'n', 12.3456)).toEqual({
      opcode: 8,
      retry_after: 12.346,
      meta: { guild_id: GUILD, nonce: 'n' },
    });
    expect(memberRequestRateLimited(GUILD, undefined, 1)).toEqual({
      opcode: 8,
      retry_after: 1,
      meta: { guild_id: GUILD },
    });
  });
});
