import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { commandPartition } from '../src/model/interactionRecords.js';
import { createHarness, type Harness, seedGuild } from './communityHarness.js';

let h: Harness;
let s: Awaited<ReturnType<typeof seedGuild>>;
const bot = '2000';
const otherBot = '2001';

const ping = { name: 'ping', description: 'Replies with pong' };

beforeEach(async () => {
  h = await createHarness();
  s = await seedGuild(h);
  await h.community.users.ensure({ id: bot, username: 'botty', bot: true });
  await h.community.users.ensure({ id: otherBot, username: 'other', bot: true });
  await h.community.bots.authorize(s.owner, s.guild.id, bot, 0n);
});

const commands = () => h.community.commands;

describe('application commands: create, upsert, read, edit, delete', () => {
  it('a global command gets Discord defaults; a POST of the same name and type replaces it (same id, new version)', async () => {
    const first = await commands().create(bot, bot, null, ping);
    expect(first.created).toBe(true);
    expect(first.command).toMatchObject({
      application_id: bot,
      type: 1,
      name: 'ping',
      description: 'Replies with pong',
      default_member_permissions: null,
      dm_permission: true,
      contexts: null,
      integration_types: [0],
      nsfw: false,
      name_localizations: null,
    });
    expect(first.command.guild_id).toBeUndefined();
    const same = await commands().create(bot, bot, null, ping);
    expect(same).toMatchObject({ created: false, command: { id: first.command.id, version: first.command.version } });
    const replaced = await commands().create(bot, bot, null, { ...ping, description: 'Pong!' });
    expect(replaced.created).toBe(false);
    expect(replaced.command.id).toBe(first.command.id);
    expect(replaced.command.version).not.toBe(first.command.version);
    // Same name, another type: a second command.
    const user = await commands().create(bot, bot, null, { name: 'ping', type: 2 });
    expect(user.created).toBe(true);
    expect(user.command).toMatchObject({ type: 2, description: '' });
    expect((await commands().list(bot, bot, null)).map((c) => c.id)).toEqual([first.command.id, user.command.id]);
    expect(await commands().get(bot, bot, null, first.command.id)).toEqual(replaced.command);
  });

  it('PATCH replaces the given fields, keeps the type, checks the result and bumps the version', async () => {
    const { command } = await commands().create(bot, bot, null, ping);
    const edited = await commands().edit(bot, bot, null, command.id, {
      description: 'New',
      type: 2,
      default_member_permissions: String(P.ManageGuild),
    });
    expect(edited).toMatchObject({ id: command.id, type: 1, name: 'ping', description: 'New' });
    expect(edited.default_member_permissions).toBe(String(P.ManageGuild));
    expect(edited.version).not.toBe(command.version);
    await expect(commands().edit(bot, bot, null, command.id, { name: 'Bad Name' })).rejects.toMatchObject({
      code: 50035,
    });
    await commands().create(bot, bot, null, { name: 'other', description: 'x' });
    await expect(commands().edit(bot, bot, null, command.id, { name: 'other' })).rejects.toMatchObject({
      code: 50035,
      body: { errors: { name: { _errors: [{ code: 'APPLICATION_COMMANDS_DUPLICATE_NAME' }] } } },
    });
    expect(await commands().get(bot, bot, null, command.id)).toEqual(edited);
  });

  it('DELETE removes the command; afterwards it is 10063', async () => {
    const { command } = await commands().create(bot, bot, s.guild.id, ping);
    await commands().delete(bot, bot, s.guild.id, command.id);
    await expect(commands().get(bot, bot, s.guild.id, command.id)).rejects.toMatchObject({ code: 10063 });
    await expect(commands().delete(bot, bot, s.guild.id, command.id)).rejects.toMatchObject({ code: 10063 });
  });

  it('guild and global scopes are separate: a name may be used in both; guild commands carry guild_id', async () => {
    const global = await commands().create(bot, bot, null, ping);
    const local = await commands().create(bot, bot, s.guild.id, ping);
    expect(local.created).toBe(true);
    expect(local.command.id).not.toBe(global.command.id);
    expect(local.command).toMatchObject({ guild_id: s.guild.id });
    expect(local.command.dm_permission).toBeUndefined();
    expect((await commands().list(bot, bot, s.guild.id)).map((c) => c.id)).toEqual([local.command.id]);
    await expect(commands().get(bot, bot, null, local.command.id)).rejects.toMatchObject({ code: 10063 });
  });

  it('localizations are stored and returned whole with with_localizations, else as the locale only', async () => {
    const body = {
      name: 'birthday',
      description: 'Wish a friend a happy birthday',
      name_localizations: { 'zh-CN': '生日', 'en-GB': 'bday' },
      description_localizations: { 'zh-CN': '祝你朋友生日快乐' },
      options: [
        {
          name: 'age',
          type: 4,
          description: 'Age',
          name_localizations: { 'zh-CN': '岁数' },
          choices: [{ name: 'ten', value: 10, name_localizations: { 'en-US': 'Ten' } }],
        },
      ],
    };
    const { command } = await commands().create(bot, bot, null, body);
    expect(command.name_localizations).toEqual(body.name_localizations);
    const [full] = await commands().list(bot, bot, null, { withLocalizations: true });
    expect(full).toEqual(command);
    const [zh] = await commands().list(bot, bot, null, { locale: 'zh-CN' });
    expect(zh).toMatchObject({ name_localized: '生日', description_localized: '祝你朋友生日快乐' });
    expect(zh).not.toHaveProperty('name_localizations');
    expect(zh!.options![0]).toMatchObject({ name: 'age', name_localized: '岁数' });
    expect(zh!.options![0]).not.toHaveProperty('name_localizations');
    // en-US falls back to en-GB; a choice gets its own name_localized.
    const [en] = await commands().list(bot, bot, null);
    expect(en).toMatchObject({ name_localized: 'bday' });
    expect(en).not.toHaveProperty('description_localized');
    expect((en!.options![0] as { choices: unknown[] }).choices[0]).toEqual({
      name: 'ten',
      value: 10,
      name_localized: 'Ten',
    });
  });
});

describe('bulk overwrite', () => {
  it('keeps the ids of commands matched by id or by name and type, creates the others, deletes the rest', async () => {
    const a = (await commands().create(bot, bot, null, { name: 'a', description: 'a' })).command;
    const b = (await commands().create(bot, bot, null, { name: 'b', description: 'b' })).command;
    const c = (await commands().create(bot, bot, null, { name: 'c', description: 'c' })).command;
    const result = await commands().overwrite(bot, bot, null, [
      { name: 'a', description: 'a' },
      { id: b.id, name: 'b2', description: 'renamed' },
      { name: 'd', description: 'd' },
      { name: 'Menu', type: 3 },
    ]);
    expect(result.map((r) => r.name)).toEqual(['a', 'b2', 'd', 'Menu']);
    expect(result[0]).toEqual(a);
    expect(result[1]!.id).toBe(b.id);
    expect(result[1]!.version).not.toBe(b.version);
    expect([a.id, b.id, c.id]).not.toContain(result[2]!.id);
    expect((await commands().list(bot, bot, null)).map((x) => x.name).sort()).toEqual(['Menu', 'a', 'b2', 'd']);
    await expect(commands().get(bot, bot, null, c.id)).rejects.toMatchObject({ code: 10063 });
    expect(await commands().overwrite(bot, bot, null, [])).toEqual([]);
    expect(await commands().list(bot, bot, null)).toEqual([]);
  });

  it('an invalid list changes nothing (50035 with errors under the index)', async () => {
    const a = (await commands().create(bot, bot, null, { name: 'a', description: 'a' })).command;
    await expect(
      commands().overwrite(bot, bot, null, [
        { name: 'b', description: 'b' },
        { name: 'BAD', description: 'x' },
      ]),
    ).rejects.toMatchObject({ code: 50035, body: { errors: { 1: { name: expect.anything() } } } });
    await expect(
      commands().overwrite(bot, bot, null, [
        { name: 'b', description: 'b' },
        { name: 'b', description: 'again' },
      ]),
    ).rejects.toMatchObject({ code: 50035 });
    expect(await commands().list(bot, bot, null, { withLocalizations: true })).toEqual([a]);
  });
});

describe('refusals', () => {
  it("another application's commands are 20012; an id that is no bot 10002", async () => {
    await expect(commands().list(otherBot, bot, null)).rejects.toMatchObject({ code: 20012 });
    await expect(commands().create(otherBot, bot, null, ping)).rejects.toMatchObject({ code: 20012 });
    await expect(commands().list(s.alice, s.alice, null)).rejects.toMatchObject({ code: 10002 });
    await expect(commands().create(s.alice, s.owner, null, ping)).rejects.toMatchObject({ code: 10002 });
  });

  it('guild commands need the bot in the guild (50001), also for an unknown guild', async () => {
    await expect(commands().create(otherBot, otherBot, s.guild.id, ping)).rejects.toMatchObject({ code: 50001 });
    await expect(commands().list(otherBot, otherBot, '123456789012345678')).rejects.toMatchObject({ code: 50001 });
  });

  it('an invalid body is 50035 and stores nothing', async () => {
    await expect(commands().create(bot, bot, null, { name: 'x' })).rejects.toMatchObject({ code: 50035 });
    await expect(commands().create(bot, bot, null, 'nope')).rejects.toMatchObject({ code: 50035 });
    expect(await h.store.count('command', bot)).toBe(0);
  });

  it('more than 15 USER commands in a scope is 30032; replacing one still works', async () => {
    for (let i = 0; i < 15; i++) await commands().create(bot, bot, s.guild.id, { name: `User ${i}`, type: 2 });
    await expect(commands().create(bot, bot, s.guild.id, { name: 'One more', type: 2 })).rejects.toMatchObject({
      code: 30032,
    });
    expect((await commands().create(bot, bot, s.guild.id, { name: 'User 3', type: 2 })).created).toBe(false);
    // Another type and another scope are counted apart.
    expect((await commands().create(bot, bot, s.guild.id, { name: 'Msg', type: 3 })).created).toBe(true);
    expect((await commands().create(bot, bot, null, { name: 'One more', type: 2 })).created).toBe(true);
  });
});

describe('permission overwrites', () => {
  it('only a user who manages the guild and its roles sets them; bots get 20001', async () => {
    const { command } = await commands().create(bot, bot, s.guild.id, ping);
    const body = { permissions: [{ id: s.alice, type: 2, permission: false }] };
    await expect(commands().editPermissions(bot, bot, s.guild.id, command.id, body)).rejects.toMatchObject({
      code: 20001,
    });
    await expect(commands().editPermissions(s.alice, bot, s.guild.id, command.id, body)).rejects.toMatchObject({
      code: 50013,
    });
    await expect(commands().getPermissions(bot, bot, s.guild.id, command.id)).rejects.toMatchObject({ code: 10066 });
    const saved = await commands().editPermissions(s.owner, bot, s.guild.id, command.id, body);
    expect(saved).toEqual({ id: command.id, application_id: bot, guild_id: s.guild.id, permissions: body.permissions });
    expect(await commands().getPermissions(bot, bot, s.guild.id, command.id)).toEqual(saved);
    expect(await commands().listPermissions(bot, bot, s.guild.id)).toEqual([saved]);
    const [event] = h.gateway.events('APPLICATION_COMMAND_PERMISSIONS_UPDATE');
    expect(event).toMatchObject({ data: saved, to: { guildId: s.guild.id } });
    expect(event!.to.userIds).toEqual(expect.arrayContaining([bot, s.owner]));
    expect(event!.to.userIds).not.toContain(s.alice);
    // An empty list removes them.
    await commands().editPermissions(s.owner, bot, s.guild.id, command.id, { permissions: [] });
    await expect(commands().getPermissions(bot, bot, s.guild.id, command.id)).rejects.toMatchObject({ code: 10066 });
  });

  it('checks the body: shape (50035), roles (10011), channels (10003), commands (10063), at most 100', async () => {
    const { command } = await commands().create(bot, bot, null, ping);
    const put = (body: unknown, id = command.id) => commands().editPermissions(s.owner, bot, s.guild.id, id, body);
    await expect(put({ permissions: [{ id: s.alice, type: 4, permission: true }] })).rejects.toMatchObject({
      code: 50035,
    });
    await expect(put({})).rejects.toMatchObject({ code: 50035 });
    await expect(put({ permissions: [{ id: '42', type: 1, permission: true }] })).rejects.toMatchObject({
      code: 10011,
    });
    await expect(put({ permissions: [{ id: '42', type: 3, permission: true }] })).rejects.toMatchObject({
      code: 10003,
    });
    const many = Array.from({ length: 101 }, (_, i) => ({ id: String(5000 + i), type: 2, permission: true }));
    await expect(put({ permissions: many })).rejects.toMatchObject({ code: 50035 });
    await expect(put({ permissions: [] }, '999')).rejects.toMatchObject({ code: 10063 });
    expect(await h.store.count('command-permissions', commandPartition(bot, s.guild.id))).toBe(0);
    // The constants: @everyone (the guild id) and All Channels (guild id - 1); the application id for all commands.
    const allChannels = (BigInt(s.guild.id) - 1n).toString();
    await put({
      permissions: [
        { id: s.guild.id, type: 1, permission: false },
        { id: allChannels, type: 3, permission: true },
      ],
    });
    await put({ permissions: [{ id: s.alice, type: 2, permission: true }] }, bot);
    expect((await commands().listPermissions(s.owner, bot, s.guild.id)).map((p) => p.id).sort()).toEqual(
      [bot, command.id].sort(),
    );
  });

  it("a deleted command's overwrites go with it", async () => {
    const { command } = await commands().create(bot, bot, null, ping);
    await commands().editPermissions(s.owner, bot, s.guild.id, command.id, {
      permissions: [{ id: s.alice, type: 2, permission: false }],
    });
    await commands().overwrite(bot, bot, null, []);
    expect(await h.store.count('command-permissions', commandPartition(bot, s.guild.id))).toBe(0);
  });
});

describe('who may use a command (index and invocation)', () => {
  const names = async (userId: string, channelId?: string) =>
    (channelId
      ? await commands().channelIndex(userId, channelId)
      : await commands().guildIndex(userId, s.guild.id)
    ).application_commands
      .map((c) => c.name)
      .sort();

  it('lists the installed applications and their commands, by default_member_permissions', async () => {
    await commands().create(bot, bot, null, ping);
    await commands().create(bot, bot, s.guild.id, { name: 'admin', description: 'x', default_member_permissions: '0' });
    await commands().create(bot, bot, s.guild.id, {
      name: 'manage',
      description: 'x',
      default_member_permissions: String(P.ManageGuild),
    });
    // Not installed: the other bot's commands are not offered.
    await commands().create(otherBot, otherBot, null, { name: 'elsewhere', description: 'x' });
    const index = await commands().guildIndex(s.alice, s.guild.id);
    expect(index.applications).toEqual([
      expect.objectContaining({ id: bot, bot_id: bot, name: 'botty', bot: expect.objectContaining({ id: bot }) }),
    ]);
    expect(index.application_commands.map((c) => c.name)).toEqual(['ping']);
    expect(index.version).toBe(index.application_commands[0]!.version);
    expect(await names(s.owner)).toEqual(['admin', 'manage', 'ping']);
    await expect(commands().guildIndex('4242', s.guild.id)).rejects.toMatchObject({ code: 50001 });
  });

  it('applies command-level over application-level overwrites, user over role over @everyone', async () => {
    const manage = (
      await commands().create(bot, bot, s.guild.id, {
        name: 'manage',
        description: 'x',
        default_member_permissions: String(P.ManageGuild),
      })
    ).command;
    const open = (await commands().create(bot, bot, s.guild.id, { name: 'open', description: 'x' })).command;
    const role = await h.community.roles.create(s.owner, s.guild.id, { name: 'helpers' });
    await h.community.members.modify(s.owner, s.guild.id, s.bob, { roles: [role.id] });
    const set = (id: string, permissions: unknown[]) =>
      commands().editPermissions(s.owner, bot, s.guild.id, id, { permissions });
    // Command level: the role is allowed (beats default_member_permissions), carol is denied by user.
    await set(manage.id, [{ id: role.id, type: 1, permission: true }]);
    expect(await names(s.bob)).toEqual(['manage', 'open']);
    expect(await names(s.alice)).toEqual(['open']);
    // Application level: @everyone denied; a command-level @everyone allow overrides it for that command only.
    await set(bot, [{ id: s.guild.id, type: 1, permission: false }]);
    expect(await names(s.alice)).toEqual([]);
    expect(await names(s.bob)).toEqual(['manage']);
    await set(open.id, [
      { id: s.guild.id, type: 1, permission: true },
      { id: s.carol, type: 2, permission: false },
    ]);
    expect(await names(s.alice)).toEqual(['open']);
    expect(await names(s.carol)).toEqual([]);
    // An application-level allow still leaves default_member_permissions to pass.
    await set(bot, [{ id: s.alice, type: 2, permission: true }]);
    await set(manage.id, []);
    expect(await names(s.alice)).toEqual(['open']);
    // Administrators (the owner) see everything.
    expect(await names(s.owner)).toEqual(['manage', 'open']);
  });

  it('channel overwrites apply in the channel index (and to threads through their parent), not the guild-wide one', async () => {
    const { command } = await commands().create(bot, bot, s.guild.id, ping);
    const other = await h.community.channels.create(s.owner, s.guild.id, { name: 'other' });
    await commands().editPermissions(s.owner, bot, s.guild.id, command.id, {
      permissions: [
        { id: (BigInt(s.guild.id) - 1n).toString(), type: 3, permission: false },
        { id: other.id, type: 3, permission: true },
      ],
    });
    expect(await names(s.alice, s.general.id)).toEqual([]);
    expect(await names(s.alice, other.id)).toEqual(['ping']);
    expect(await names(s.alice)).toEqual(['ping']);
    const thread = await h.community.threads.create(s.alice, s.guild.id, other.id, { name: 't', type: 11 });
    expect(await names(s.alice, thread.id)).toEqual(['ping']);
  });

  it('age-restricted commands only in age-restricted channels; global commands by their contexts', async () => {
    await commands().create(bot, bot, null, { name: 'nsfw', description: 'x', nsfw: true });
    await commands().create(bot, bot, null, { name: 'dmonly', description: 'x', contexts: [1] });
    await commands().create(bot, bot, null, { name: 'guildonly', description: 'x', contexts: [0] });
    await commands().create(bot, bot, null, { name: 'userapp', description: 'x', integration_types: [1] });
    const adult = await h.community.channels.create(s.owner, s.guild.id, { name: 'adult', nsfw: true });
    expect(await names(s.alice, s.general.id)).toEqual(['guildonly']);
    expect(await names(s.alice, adult.id)).toEqual(['guildonly', 'nsfw']);
  });

  it('a DM with the bot offers its global commands allowed in BOT_DM, when the bot shares a guild with the user', async () => {
    await commands().create(bot, bot, null, ping);
    await commands().create(bot, bot, null, { name: 'dmonly', description: 'x', contexts: [1] });
    await commands().create(bot, bot, null, { name: 'guildonly', description: 'x', contexts: [0] });
    await commands().create(bot, bot, null, { name: 'nodm', description: 'x', dm_permission: false });
    await commands().create(bot, bot, null, { name: 'perm', description: 'x', default_member_permissions: '0' });
    await commands().create(bot, bot, s.guild.id, { name: 'local', description: 'x' });
    const dm = await h.community.dms.open(s.alice, { recipient_id: bot });
    expect(await names(s.alice, dm.id)).toEqual(['dmonly', 'perm', 'ping']);
    const index = await commands().channelIndex(s.alice, dm.id);
    expect(index.applications.map((a) => a.id)).toEqual([bot]);
    // No mutual guild: nothing. A DM between people: nothing.
    await h.community.users.ensure({ id: '3000', username: 'stranger' });
    expect(await names('3000', (await h.community.dms.open('3000', { recipient_id: bot })).id)).toEqual([]);
    expect(await names(s.alice, (await h.community.dms.open(s.alice, { recipient_id: s.bob })).id)).toEqual([]);
  });

  it('resolveForInvoke follows the same rule: 10063 when not offered, 50035 when not permitted', async () => {
    const global = (await commands().create(bot, bot, null, ping)).command;
    const admin = (
      await commands().create(bot, bot, s.guild.id, {
        name: 'admin',
        description: 'x',
        default_member_permissions: '0',
      })
    ).command;
    const elsewhere = (await commands().create(otherBot, otherBot, null, { name: 'x', description: 'x' })).command;
    const member = P.ViewChannel | P.SendMessages | P.UseApplicationCommands;
    const inGeneral = (permissions: bigint) => ({ guildId: s.guild.id, channelId: s.general.id, permissions });
    expect(await commands().resolveForInvoke(s.alice, bot, global.id, inGeneral(member))).toEqual(global);
    await expect(commands().resolveForInvoke(s.alice, bot, admin.id, inGeneral(member))).rejects.toMatchObject({
      code: 50035,
      body: { errors: { data: { _errors: [{ code: 'INTERACTION_APPLICATION_COMMAND_INVALID_PERMISSIONS' }] } } },
    });
    expect(await commands().resolveForInvoke(s.owner, bot, admin.id, inGeneral(P.Administrator))).toEqual(admin);
    await expect(commands().resolveForInvoke(s.alice, otherBot, elsewhere.id, inGeneral(member))).rejects.toMatchObject(
      { code: 10063 },
    );
    await expect(commands().resolveForInvoke(s.alice, bot, '999', inGeneral(member))).rejects.toMatchObject({
      code: 10063,
    });
    const dm = await h.community.dms.open(s.alice, { recipient_id: bot });
    const inDm = { guildId: null, channelId: dm.id, permissions: P.ViewChannel };
    expect(await commands().resolveForInvoke(s.alice, bot, global.id, inDm)).toEqual(global);
    await expect(commands().resolveForInvoke(s.alice, bot, admin.id, inDm)).rejects.toMatchObject({ code: 10063 });
  });
});
