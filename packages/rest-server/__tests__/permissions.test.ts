import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';

let t: TestApp;
let g: GuildFixture;
let ids: { role: string; target: string; message: string; invite: string };
beforeAll(async () => {
  t = await createTestApp();
  g = await guildFixture(t, 'owner', ['plain', 'target']);
  const role = (await t.call('owner', 'POST', `/api/v10/guilds/${g.guildId}/roles`, { name: 'R' })).json().id;
  const message = (
    await t.call('target', 'POST', `/api/v10/channels/${g.channelId}/messages`, { content: 'moderate me' })
  ).json().id;
  const invite = (await t.call('owner', 'POST', `/api/v10/channels/${g.channelId}/invites`, { unique: true })).json()
    .code;
  ids = { role, target: t.user('target').id, message, invite };
  // The owner bans someone so the ban routes have something to read.
  await t.call('owner', 'PUT', `/api/v10/guilds/${g.guildId}/bans/${t.user('banned').id}`, {});
});
afterAll(() => t.close());

/** [method, path template (for the test name), request built once the fixture exists]. */
type Case = [method: string, name: string, build: () => { path: string; body?: unknown }];

/** Routes that need a moderation permission the plain member (default @everyone permissions) lacks. */
const moderation: Case[] = [
  ['PATCH', '/guilds/:id', () => ({ path: `/guilds/${g.guildId}`, body: { name: 'Hijacked' } })],
  ['POST', '/guilds/:id/channels', () => ({ path: `/guilds/${g.guildId}/channels`, body: { name: 'x', type: 0 } })],
  [
    'PATCH',
    '/guilds/:id/channels',
    () => ({ path: `/guilds/${g.guildId}/channels`, body: [{ id: g.channelId, position: 3 }] }),
  ],
  ['PATCH', '/channels/:id', () => ({ path: `/channels/${g.channelId}`, body: { name: 'renamed' } })],
  ['DELETE', '/channels/:id', () => ({ path: `/channels/${g.channelId}` })],
  [
    'PUT',
    '/channels/:id/permissions/:id',
    () => ({ path: `/channels/${g.channelId}/permissions/${ids.target}`, body: { type: 1, allow: '0', deny: '1024' } }),
  ],
  ['DELETE', '/channels/:id/permissions/:id', () => ({ path: `/channels/${g.channelId}/permissions/${ids.target}` })],
  ['POST', '/guilds/:id/roles', () => ({ path: `/guilds/${g.guildId}/roles`, body: { name: 'Mine' } })],
  ['PATCH', '/guilds/:id/roles', () => ({ path: `/guilds/${g.guildId}/roles`, body: [{ id: ids.role, position: 1 }] })],
  [
    'PATCH',
    '/guilds/:id/roles/:id',
    () => ({ path: `/guilds/${g.guildId}/roles/${ids.role}`, body: { name: 'Mine' } }),
  ],
  ['DELETE', '/guilds/:id/roles/:id', () => ({ path: `/guilds/${g.guildId}/roles/${ids.role}` })],
  [
    'PATCH',
    '/guilds/:id/members/:id',
    () => ({ path: `/guilds/${g.guildId}/members/${ids.target}`, body: { nick: 'pwned' } }),
  ],
  ['DELETE', '/guilds/:id/members/:id', () => ({ path: `/guilds/${g.guildId}/members/${ids.target}` })],
  [
    'PUT',
    '/guilds/:id/members/:id/roles/:id',
    () => ({ path: `/guilds/${g.guildId}/members/${ids.target}/roles/${ids.role}` }),
  ],
  [
    'DELETE',
    '/guilds/:id/members/:id/roles/:id',
    () => ({ path: `/guilds/${g.guildId}/members/${ids.target}/roles/${ids.role}` }),
  ],
  ['GET', '/guilds/:id/bans', () => ({ path: `/guilds/${g.guildId}/bans` })],
  ['GET', '/guilds/:id/bans/:id', () => ({ path: `/guilds/${g.guildId}/bans/${t.user('banned').id}` })],
  ['PUT', '/guilds/:id/bans/:id', () => ({ path: `/guilds/${g.guildId}/bans/${ids.target}`, body: {} })],
  ['DELETE', '/guilds/:id/bans/:id', () => ({ path: `/guilds/${g.guildId}/bans/${t.user('banned').id}` })],
  ['GET', '/guilds/:id/invites', () => ({ path: `/guilds/${g.guildId}/invites` })],
  ['GET', '/channels/:id/invites', () => ({ path: `/channels/${g.channelId}/invites` })],
  ['GET', '/guilds/:id/audit-logs', () => ({ path: `/guilds/${g.guildId}/audit-logs` })],
  ['DELETE', '/channels/:id/messages/:id', () => ({ path: `/channels/${g.channelId}/messages/${ids.message}` })],
  [
    'POST',
    '/channels/:id/messages/bulk-delete',
    () => ({ path: `/channels/${g.channelId}/messages/bulk-delete`, body: { messages: [ids.message, ids.message] } }),
  ],
  ['PUT', '/channels/:id/pins/:id', () => ({ path: `/channels/${g.channelId}/pins/${ids.message}` })],
  [
    'DELETE',
    '/channels/:id/messages/:id/reactions',
    () => ({ path: `/channels/${g.channelId}/messages/${ids.message}/reactions` }),
  ],
];

describe('a member without the permission', () => {
  it.each(moderation)('%s %s → 403 50013', async (method, _name, build) => {
    const { path, body } = build();
    const res = await t.call('plain', method, `/api/v10${path}`, body);
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json()).toMatchObject({ code: 50013 });
  });

  it('cannot delete the guild (owner only) or delete another’s invite', async () => {
    const del = await t.call('plain', 'DELETE', `/api/v10/guilds/${g.guildId}`);
    expect(del.statusCode).toBe(403);
    const invite = await t.call('plain', 'DELETE', `/api/v10/invites/${ids.invite}`);
    expect(invite.statusCode).toBe(403);
  });
});

describe('a user who is not a member', () => {
  it.each(moderation)('%s %s → 403 50001 or 404', async (method, _name, build) => {
    const { path, body } = build();
    const res = await t.call('outsider', method, `/api/v10${path}`, body);
    expect([403, 404], res.body).toContain(res.statusCode);
    if (res.statusCode === 403) expect(res.json().code).toBe(50001);
    else expect(res.json().code).toBe(10003);
  });

  it('cannot read the guild, its channels or its messages', async () => {
    for (const path of [
      `/guilds/${g.guildId}`,
      `/guilds/${g.guildId}/channels`,
      `/guilds/${g.guildId}/members`,
      `/channels/${g.channelId}/messages`,
    ]) {
      const res = await t.call('outsider', 'GET', `/api/v10${path}`);
      expect(res.statusCode, path).toBe(403);
      expect(res.json().code, path).toBe(50001);
    }
  });
});

describe('unknown ids', () => {
  const cases: [string, () => string, number, unknown?][] = [
    ['GET', () => '/guilds/1', 10004],
    ['PATCH', () => `/guilds/${g.guildId}/roles/1`, 10011, { name: 'x' }],
    ['DELETE', () => `/guilds/${g.guildId}/members/1`, 10007],
    ['GET', () => `/guilds/${g.guildId}/members/1`, 10007],
    ['GET', () => `/guilds/${g.guildId}/bans/1`, 10026],
    ['PATCH', () => '/channels/1', 10003, { name: 'x' }],
    ['GET', () => `/channels/${g.channelId}/messages/1`, 10008],
    ['DELETE', () => `/channels/${g.channelId}/messages/1`, 10008],
    ['PUT', () => `/guilds/${g.guildId}/members/${ids.target}/roles/1`, 10011],
    ['GET', () => '/invites/zzzzzzzz', 10006],
    ['GET', () => '/users/1', 10013],
  ];
  it.each(cases)('%s %s → 404 %i', async (method, path, code, body) => {
    const res = await t.call('owner', method, `/api/v10${path()}`, body);
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().code).toBe(code);
  });
});
