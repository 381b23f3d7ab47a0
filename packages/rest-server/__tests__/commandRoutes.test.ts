import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/createTestApp.js';
import { type GuildFixture, guildFixture } from './helpers/guildFixture.js';

let t: TestApp;
let g: GuildFixture;
let botId: string;
const api = '/api/v10';

beforeEach(async () => {
  t = await createTestApp();
  botId = t.user('botapp').id;
  await t.call('botapp', 'GET', `${api}/users/@me`);
  await t.call('botother', 'GET', `${api}/users/@me`);
  g = await guildFixture(t, 'owner', ['alice']);
  const added = await t.call('owner', 'POST', `${api}/oauth2/authorize?client_id=${botId}&scope=bot`, {
    guild_id: g.guildId,
    permissions: '0',
    authorize: true,
  });
  expect(added.statusCode).toBe(200);
});

afterEach(async () => {
  await t.close();
});

const global = () => `${api}/applications/${botId}/commands`;
const guild = () => `${api}/applications/${botId}/guilds/${g.guildId}/commands`;
const ping = { name: 'ping', description: 'Replies with pong' };

describe('application command routes', () => {
  it('POST answers 201 for a new command and 200 when it replaces one; GET, PATCH, DELETE by id', async () => {
    const created = await t.call('botapp', 'POST', global(), ping);
    expect(created.statusCode).toBe(201);
    const command = created.json();
    expect(command).toMatchObject({ application_id: botId, name: 'ping', type: 1, version: expect.any(String) });
    const replaced = await t.call('botapp', 'POST', global(), { ...ping, description: 'Pong' });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ id: command.id, description: 'Pong' });
    expect((await t.call('botapp', 'GET', `${global()}/${command.id}`)).json()).toEqual(replaced.json());
    const patched = await t.call('botapp', 'PATCH', `${global()}/${command.id}`, { description: 'Edited' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id: command.id, description: 'Edited' });
    expect((await t.call('botapp', 'DELETE', `${global()}/${command.id}`)).statusCode).toBe(204);
    const gone = await t.call('botapp', 'GET', `${global()}/${command.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 10063 });
  });

  it('PUT overwrites the scope, keeping ids; guild commands are apart from global ones', async () => {
    const a = (await t.call('botapp', 'POST', guild(), ping)).json();
    const put = await t.call('botapp', 'PUT', guild(), [ping, { name: 'Inspect', type: 2 }]);
    expect(put.statusCode).toBe(200);
    const list = put.json() as { id: string; name: string; guild_id: string }[];
    expect(list.map((c) => c.name)).toEqual(['ping', 'Inspect']);
    expect(list[0]!.id).toBe(a.id);
    expect(list.every((c) => c.guild_id === g.guildId)).toBe(true);
    expect((await t.call('botapp', 'GET', global())).json()).toEqual([]);
    expect((await t.call('botapp', 'GET', guild())).json()).toHaveLength(2);
  });

  it('GET list leaves the dictionaries out unless with_localizations=true', async () => {
    await t.call('botapp', 'POST', global(), { ...ping, name_localizations: { 'en-US': 'pingus', fr: 'pinger' } });
    const plain = (await t.call('botapp', 'GET', global())).json()[0];
    expect(plain).toMatchObject({ name: 'ping', name_localized: 'pingus' });
    expect(plain).not.toHaveProperty('name_localizations');
    const full = (await t.call('botapp', 'GET', `${global()}?with_localizations=true`)).json()[0];
    expect(full.name_localizations).toEqual({ 'en-US': 'pingus', fr: 'pinger' });
  });

  it('refuses another application (20012), a guild without the bot (50001), bad bodies (50035) and limits (30032)', async () => {
    expect((await t.call('botother', 'GET', global())).json()).toMatchObject({ code: 20012 });
    expect((await t.call('botother', 'POST', global(), ping)).statusCode).toBe(403);
    const otherId = t.user('botother').id;
    const missing = await t.call(
      'botother',
      'POST',
      `${api}/applications/${otherId}/guilds/${g.guildId}/commands`,
      ping,
    );
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ code: 50001 });
    const bad = await t.call('botapp', 'POST', global(), { name: 'Bad Name', description: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 50035, errors: { name: expect.anything() } });
    expect((await t.call('botapp', 'GET', global())).json()).toEqual([]);
    const users = Array.from({ length: 15 }, (_, i) => ({ name: `User ${i}`, type: 2 }));
    expect((await t.call('botapp', 'PUT', global(), users)).statusCode).toBe(200);
    const full = await t.call('botapp', 'POST', global(), { name: 'One more', type: 2 });
    expect(full.json()).toMatchObject({ code: 30032 });
    const tooMany = await t.call('botapp', 'PUT', global(), [...users, { name: 'One more', type: 2 }]);
    expect(tooMany.json()).toMatchObject({ code: 50035 });
    expect((await t.call('botapp', 'GET', global())).json()).toHaveLength(15);
  });

  it('command permissions: a bot gets 20001; a manager sets them; GET answers them; the index follows', async () => {
    const command = (
      await t.call('botapp', 'POST', guild(), { ...ping, default_member_permissions: String(P.ManageGuild) })
    ).json();
    const url = `${guild()}/${command.id}/permissions`;
    const aliceId = t.user('alice').id;
    const body = { permissions: [{ id: aliceId, type: 2, permission: true }] };
    const byBot = await t.call('botapp', 'PUT', url, body);
    expect(byBot.statusCode).toBe(403);
    expect(byBot.json()).toMatchObject({ code: 20001 });
    expect((await t.call('alice', 'PUT', url, body)).json()).toMatchObject({ code: 50013 });
    expect((await t.call('botapp', 'GET', url)).json()).toMatchObject({ code: 10066 });
    const index = () => t.call('alice', 'GET', `${api}/guilds/${g.guildId}/application-command-index`);
    expect((await index()).json()).toMatchObject({ applications: [], application_commands: [] });
    const set = await t.call('owner', 'PUT', url, body);
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ id: command.id, application_id: botId, guild_id: g.guildId, ...body });
    expect((await t.call('botapp', 'GET', url)).json()).toEqual(set.json());
    expect((await t.call('botapp', 'GET', `${guild()}/permissions`)).json()).toEqual([set.json()]);
    const listed = (await index()).json();
    expect(listed.applications).toEqual([expect.objectContaining({ id: botId, bot_id: botId })]);
    expect(listed.application_commands.map((c: { id: string }) => c.id)).toEqual([command.id]);
    const bad = await t.call('owner', 'PUT', url, { permissions: [{ id: aliceId, type: 9, permission: true }] });
    expect(bad.json()).toMatchObject({ code: 50035, errors: { permissions: { 0: { type: expect.anything() } } } });
  });

  it('the channel index of a DM with the bot lists its DM commands', async () => {
    await t.call('botapp', 'PUT', global(), [ping, { name: 'guildonly', description: 'x', contexts: [0] }]);
    const dm = (await t.call('alice', 'POST', `${api}/users/@me/channels`, { recipient_id: botId })).json();
    const index = await t.call('alice', 'GET', `${api}/channels/${dm.id}/application-command-index`);
    expect(index.statusCode).toBe(200);
    expect(index.json().application_commands.map((c: { name: string }) => c.name)).toEqual(['ping']);
    const other = await t.call('owner', 'GET', `${api}/channels/${dm.id}/application-command-index`);
    expect(other.json()).toMatchObject({ code: 50001 });
  });
});
