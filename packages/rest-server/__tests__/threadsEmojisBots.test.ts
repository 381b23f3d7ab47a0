import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';
import { PNG_1x1 } from './helpers/multipart.js';

let t: TestApp;
let g: GuildFixture;
beforeAll(async () => {
  t = await createTestApp({ uploads: true });
  g = await guildFixture(t, 'owner', ['member']);
});
afterAll(() => t.close());

const api = (path: string) => `/api/v10${path}`;

describe('threads', () => {
  it('starts threads, manages their members, lists them, and reads/edits/deletes them through /channels', async () => {
    const started = await t.call('member', 'POST', api(`/channels/${g.channelId}/threads`), {
      name: 'topic',
      type: 11,
    });
    expect(started.statusCode, started.body).toBe(201);
    const thread = started.json().id;
    const message = (await t.call('owner', 'POST', api(`/channels/${g.channelId}/messages`), { content: 'x' })).json()
      .id;
    const fromMessage = await t.call('owner', 'POST', api(`/channels/${g.channelId}/messages/${message}/threads`), {
      name: 'about x',
    });
    expect(fromMessage.statusCode, fromMessage.body).toBe(201);
    expect(fromMessage.json().id).toBe(message);

    expect((await t.call('owner', 'PUT', api(`/channels/${thread}/thread-members/@me`))).statusCode).toBe(204);
    const members = await t.call('member', 'GET', api(`/channels/${thread}/thread-members`));
    expect(
      members
        .json()
        .map((m: { user_id: string }) => m.user_id)
        .sort(),
    ).toEqual([t.user('member').id, t.user('owner').id].sort());
    const one = await t.call('member', 'GET', api(`/channels/${thread}/thread-members/${t.user('owner').id}`));
    expect(one.statusCode).toBe(200);
    expect((await t.call('owner', 'DELETE', api(`/channels/${thread}/thread-members/@me`))).statusCode).toBe(204);
    const other = api(`/channels/${thread}/thread-members/${t.user('owner').id}`);
    expect((await t.call('member', 'PUT', other)).statusCode).toBe(204);
    expect((await t.call('owner', 'DELETE', other)).statusCode).toBe(204);

    const active = await t.call('member', 'GET', api(`/guilds/${g.guildId}/threads/active`));
    expect(active.json().threads.map((c: { id: string }) => c.id)).toContain(thread);
    expect((await t.call('member', 'GET', api(`/channels/${thread}`))).json().name).toBe('topic');
    const archived = await t.call('member', 'PATCH', api(`/channels/${thread}`), { archived: true });
    expect(archived.json().thread_metadata.archived).toBe(true);
    const pub = await t.call('member', 'GET', api(`/channels/${g.channelId}/threads/archived/public?limit=10`));
    expect(pub.json().threads.map((c: { id: string }) => c.id)).toContain(thread);
    expect((await t.call('owner', 'GET', api(`/channels/${g.channelId}/threads/archived/private`))).statusCode).toBe(
      200,
    );
    expect(
      (await t.call('member', 'GET', api(`/channels/${g.channelId}/users/@me/threads/archived/private`))).statusCode,
    ).toBe(200);
    const badBefore = await t.call(
      'member',
      'GET',
      api(`/channels/${g.channelId}/threads/archived/public?before=soon`),
    );
    expect(badBefore.json().code).toBe(50035);
    const del = await t.call('owner', 'DELETE', api(`/channels/${thread}`));
    expect(del.statusCode, del.body).toBe(200);
  });
});

describe('emoji', () => {
  it('creates (image stored and served from the CDN), lists, reads, modifies and deletes', async () => {
    const image = `data:image/png;base64,${PNG_1x1.toString('base64')}`;
    const created = await t.call('owner', 'POST', api(`/guilds/${g.guildId}/emojis`), { name: 'dot', image });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const served = await t.app.inject({ url: `/cdn/emojis/${id}.png` });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(PNG_1x1)).toBe(true);
    expect((await t.call('member', 'GET', api(`/guilds/${g.guildId}/emojis`))).json()).toHaveLength(1);
    expect((await t.call('member', 'GET', api(`/guilds/${g.guildId}/emojis/${id}`))).json().name).toBe('dot');
    const renamed = await t.call('owner', 'PATCH', api(`/guilds/${g.guildId}/emojis/${id}`), { name: 'spot' });
    expect(renamed.json().name).toBe('spot');
    const denied = await t.call('member', 'PATCH', api(`/guilds/${g.guildId}/emojis/${id}`), { name: 'mine' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe(50013);
    expect((await t.call('owner', 'DELETE', api(`/guilds/${g.guildId}/emojis/${id}`))).statusCode).toBe(204);
    expect((await t.call('owner', 'GET', api(`/guilds/${g.guildId}/emojis/${id}`))).json().code).toBe(10014);
  });
});

describe('adding a bot (POST /oauth2/authorize)', () => {
  it('adds the bot with a managed role carrying the granted permissions', async () => {
    const bot = t.user('botty');
    await t.call('botty', 'GET', api('/users/@me'));
    const res = await t.call('owner', 'POST', api(`/oauth2/authorize?client_id=${bot.id}&scope=bot`), {
      guild_id: g.guildId,
      permissions: '2048',
      authorize: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().location).toEqual(expect.any(String));
    const member = await t.call('owner', 'GET', api(`/guilds/${g.guildId}/members/${bot.id}`));
    expect(member.statusCode).toBe(200);
    expect(member.json().roles).toHaveLength(1);
  });

  it('refuses without MANAGE_GUILD, a user that is not a bot, and bad parameters', async () => {
    const bot = t.user('botanist');
    await t.call('botanist', 'GET', api('/users/@me'));
    const body = { guild_id: g.guildId, permissions: '0', authorize: true };
    const denied = await t.call('member', 'POST', api(`/oauth2/authorize?client_id=${bot.id}&scope=bot`), body);
    expect(denied.statusCode).toBe(403);
    const human = await t.call(
      'owner',
      'POST',
      api(`/oauth2/authorize?client_id=${t.user('member').id}&scope=bot`),
      body,
    );
    expect(human.statusCode).toBe(404);
    expect(human.json().code).toBe(10002);
    const scope = await t.call('owner', 'POST', api(`/oauth2/authorize?client_id=${bot.id}&scope=identify`), body);
    expect(scope.json().code).toBe(50035);
    const client = await t.call('owner', 'POST', api('/oauth2/authorize?client_id=abc&scope=bot'), body);
    expect(client.json().code).toBe(50035);
    const perms = await t.call('owner', 'POST', api(`/oauth2/authorize?client_id=${bot.id}&scope=bot`), {
      ...body,
      permissions: 'all',
    });
    expect(perms.json().code).toBe(50035);
    const cancelled = await t.call('owner', 'POST', api(`/oauth2/authorize?client_id=${bot.id}&scope=bot`), {
      guild_id: g.guildId,
      authorize: false,
    });
    expect(cancelled.json().location).toContain('error=access_denied');
  });
});
