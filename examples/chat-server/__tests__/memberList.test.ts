import { openStorage } from '@concord/storage-adapters/open';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer, LOBBY_ID, OWNER_ID } from '../src/createChatServer.js';
import { userIdForToken } from '../src/devAuth.js';

const MEMBERS = 2000;

// The member list is @concord/guilds' (paged by the entity store in id order); this checks the assembled server
// serves a large Lobby page by page, as `GET /guilds/:id/members?after=&limit=` clients walk it.
describe('GET /guilds/:id/members on a Lobby of 2,000 members', () => {
  let server: ChatServer;
  let ids: string[];

  beforeAll(async () => {
    server = await createChatServer({ storage: await openStorage(':memory:'), port: 0 });
    ids = [];
    for (let i = 0; i < MEMBERS; i++) {
      const id = userIdForToken(`member-${i}`);
      ids.push(id);
      await server.community.users.ensure({ id, username: `member-${i}` });
      await server.community.members.join(id, LOBBY_ID);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const get = async (query: string) => {
    const res = await fetch(`${server.url}/api/v10/guilds/${LOBBY_ID}/members?${query}`, {
      headers: { Authorization: 'member-0' },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { user: { id: string } }[]).map((m) => m.user.id);
  };
  const sorted = () => [OWNER_ID, ...ids].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));

  it('pages in id order from `after` (which need not name a member)', async () => {
    const all = sorted();
    expect(await get('limit=10')).toEqual(all.slice(0, 10));
    expect(await get(`limit=10&after=${all[1000]}`)).toEqual(all.slice(1001, 1011));
    const between = (BigInt(all[1500]!) + 1n).toString();
    expect(await get(`limit=3&after=${between}`)).toEqual(all.slice(1501, 1504));
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
    expect(seen).toEqual(sorted());
  });

  it('counts members for `with_counts` (the members and the Lobby’s owner)', async () => {
    const res = await fetch(`${server.url}/api/v10/guilds/${LOBBY_ID}?with_counts=true`, {
      headers: { Authorization: 'member-0' },
    });
    expect(((await res.json()) as { approximate_member_count: number }).approximate_member_count).toBe(MEMBERS + 1);
  });
});
