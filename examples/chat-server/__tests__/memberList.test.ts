import { InMemoryDirectory } from '@concord/gateway-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChatServer, createChatServer } from '../src/createChatServer.js';
import { userIdForToken } from '../src/identity.js';
import { openStorage } from '../src/storage.js';

const LOBBY = '1200000000000000000';
const MEMBERS = 10_000;

// Item 5 of issue 12: GET /guilds/:id/members used to copy and BigInt-sort the whole guild on every call. The work per
// call is counted here (members handed out by the directory, BigInt conversions), not timed.
describe('GET /guilds/:id/members on a guild of 10k members', () => {
  let server: ChatServer;
  let ids: string[];

  beforeAll(async () => {
    const storage = await openStorage(':memory:');
    ids = [];
    for (let i = 0; i < MEMBERS; i++) {
      const id = userIdForToken(`member-${i}`);
      ids.push(id);
      storage.users.save({ id, username: `member-${i}`, bot: false, joinedAt: new Date(0).toISOString() });
    }
    server = await createChatServer({ storage, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    vi.restoreAllMocks();
  });

  const get = async (query: string) => {
    const res = await fetch(`${server.url}/api/v10/guilds/${LOBBY}/members?${query}`, {
      headers: { Authorization: 'member-0' },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { user: { id: string } }[]).map((m) => m.user.id);
  };

  /** Members the directory hands out plus BigInt conversions during one request. */
  const workOf = async (query: string) => {
    const members = vi.spyOn(InMemoryDirectory.prototype, 'members');
    const bigints = vi.spyOn(globalThis, 'BigInt');
    try {
      const page = await get(query);
      const handedOut = members.mock.results.reduce((n, r) => n + (r.value as unknown[]).length, 0);
      return { page, work: handedOut + bigints.mock.calls.length };
    } finally {
      members.mockRestore();
      bigints.mockRestore();
    }
  };

  it('costs in proportion to `limit`, not to the guild size, with or without `after`', async () => {
    await get('limit=1'); // member-0 is known already; warm up the route
    const sorted = [...ids].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    const budget = (limit: number) => 10 * (limit + Math.ceil(Math.log2(MEMBERS)));

    const first = await workOf('limit=10');
    expect(first.page).toEqual(sorted.slice(0, 10));
    expect(first.work).toBeLessThanOrEqual(budget(10));

    const middle = await workOf(`limit=10&after=${sorted[5000]}`);
    expect(middle.page).toEqual(sorted.slice(5001, 5011));
    expect(middle.work).toBeLessThanOrEqual(budget(10));

    // An `after` that names nobody (between two member ids) starts at the next member.
    const between = (BigInt(sorted[7000]!) + 1n).toString();
    const gap = await workOf(`limit=3&after=${between}`);
    expect(gap.page).toEqual(sorted.slice(7001, 7004));
    expect(gap.work).toBeLessThanOrEqual(budget(3));
  });

  it('walks the whole guild once, in id order, page by page', async () => {
    const seen: string[] = [];
    let after = '0';
    for (;;) {
      const page = await get(`limit=1000&after=${after}`);
      if (page.length === 0) break;
      seen.push(...page);
      after = page[page.length - 1]!;
    }
    const all = new Set([...ids, userIdForToken('member-0')]);
    expect(seen.length).toBe(all.size);
    expect(new Set(seen).size).toBe(seen.length);
    for (let i = 1; i < seen.length; i++) expect(BigInt(seen[i - 1]!) < BigInt(seen[i]!)).toBe(true);
  });

  it('counts members for `with_counts` without copying the guild', async () => {
    const guild = vi.spyOn(InMemoryDirectory.prototype, 'guild');
    try {
      const res = await fetch(`${server.url}/api/v10/guilds/${LOBBY}?with_counts=true`, {
        headers: { Authorization: 'member-0' },
      });
      expect(((await res.json()) as { approximate_member_count: number }).approximate_member_count).toBe(MEMBERS);
      expect(guild).not.toHaveBeenCalled();
    } finally {
      guild.mockRestore();
    }
  });
});
