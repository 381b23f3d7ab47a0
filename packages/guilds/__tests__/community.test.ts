import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { beforeEach, describe, expect, it } from 'vitest';
import { CommunityError, MissingAccessError, MissingPermissionsError, UnknownEntityError } from '../src/index.js';
import { createHarness, type Harness, seedGuild } from './communityHarness.js';

let h: Harness;
let s: Awaited<ReturnType<typeof seedGuild>>;

beforeEach(async () => {
  h = await createHarness();
  s = await seedGuild(h);
});

describe('guilds', () => {
  it('a new guild has @everyone, two categories, #general as system channel and its owner as member', async () => {
    const guild = await h.community.guilds.get(s.owner, s.guild.id);
    expect(guild.owner_id).toBe(s.owner);
    expect(guild.roles.map((r) => r.name)).toEqual(['@everyone']);
    expect(guild.system_channel_id).toBe(s.general.id);
    expect(s.channels.map((c) => [c.type, c.name])).toEqual([
      [4, 'Text Channels'],
      [4, 'Voice Channels'],
      [0, 'general'],
      [2, 'General'],
    ]);
    expect(h.gateway.joined).toContainEqual([s.guild.id, s.owner]);
  });

  it('takes fixed ids for a seeded guild and its starter channels', async () => {
    const ids = { guild: '900000000000000001', general: '900000000000000002', voiceGeneral: '900000000000000003' };
    const guild = await h.community.guilds.create(s.owner, { name: 'Seeded' }, { ids });
    expect(guild.id).toBe(ids.guild);
    const channels = await h.community.channels.list(s.owner, ids.guild);
    expect(channels.find((c) => c.name === 'general')?.id).toBe(ids.general);
    expect(channels.find((c) => c.name === 'General')?.id).toBe(ids.voiceGeneral);
  });

  it('refuses a name that is too short with 50035 and non-members with 50001', async () => {
    await expect(h.community.guilds.create(s.owner, { name: 'x' })).rejects.toMatchObject({ code: 50035 });
    await h.community.users.ensure({ id: '2000', username: 'stranger' });
    await expect(h.community.guilds.get('2000', s.guild.id)).rejects.toBeInstanceOf(MissingAccessError);
    await expect(h.community.guilds.get(s.owner, '999')).rejects.toMatchObject({ code: 10004 });
  });

  it('modifies with MANAGE_GUILD, records the audit reason, and only the owner transfers ownership', async () => {
    await expect(h.community.guilds.modify(s.alice, s.guild.id, { name: 'Mine' })).rejects.toBeInstanceOf(
      MissingPermissionsError,
    );
    const updated = await h.community.guilds.modify(s.owner, s.guild.id, { name: 'Renamed' }, 'because');
    expect(updated.name).toBe('Renamed');
    expect(h.gateway.events('GUILD_UPDATE').at(-1)?.data.name).toBe('Renamed');
    const [entry] = await h.community.auditLog.list(s.owner, s.guild.id, { actionType: 1 });
    expect(entry).toMatchObject({
      user_id: s.owner,
      reason: 'because',
      changes: [{ key: 'name', old_value: 'Concord', new_value: 'Renamed' }],
    });
    const transferred = await h.community.guilds.modify(s.owner, s.guild.id, { owner_id: s.alice });
    expect(transferred.owner_id).toBe(s.alice);
    await expect(h.community.guilds.modify(s.owner, s.guild.id, { owner_id: s.owner })).rejects.toBeInstanceOf(
      MissingPermissionsError,
    );
  });

  it('deletes (owner only): every member leaves the guild on the gateway', async () => {
    await expect(h.community.guilds.delete(s.alice, s.guild.id)).rejects.toBeInstanceOf(MissingAccessError);
    await h.community.guilds.delete(s.owner, s.guild.id);
    expect(h.gateway.left.map(([, user]) => user).sort()).toEqual([s.owner, s.alice, s.bob, s.carol].sort());
    await expect(h.community.guilds.get(s.owner, s.guild.id)).rejects.toMatchObject({ code: 10004 });
    expect(await h.community.guilds.listForUser(s.alice)).toEqual([]);
  });

  it('lists a user’s guilds with their permissions', async () => {
    const [guild] = await h.community.guilds.listForUser(s.alice);
    expect(guild).toMatchObject({ id: s.guild.id, owner: false });
    expect(BigInt(guild!.permissions) & P.ViewChannel).toBe(P.ViewChannel);
  });
});

describe('invites and membership', () => {
  it('counts uses atomically and expires used-up and timed-out invites', async () => {
    await h.community.users.ensure({ id: '3000', username: 'late' });
    await h.community.users.ensure({ id: '3001', username: 'later' });
    const once = await h.community.invites.create(s.owner, s.general.id, { max_uses: 1, unique: true });
    const timed = await h.community.invites.create(s.owner, s.general.id, { max_age: 60, unique: true });
    expect(once.code).toMatch(/^[A-Za-z0-9]{8}$/);
    const accepted = await h.community.invites.accept('3000', once.code);
    expect(accepted.new_member).toBe(true);
    await expect(h.community.invites.accept('3001', once.code)).rejects.toMatchObject({ code: 10006 });
    h.clock.now += 61_000;
    await expect(h.community.invites.get(timed.code)).rejects.toBeInstanceOf(UnknownEntityError);
    expect(h.gateway.events('INVITE_DELETE').map((e) => e.data.code)).toContain(once.code);
    expect(h.gateway.events('GUILD_MEMBER_ADD').map((e) => e.data.user.id)).toContain('3000');
  });

  it('leaves, but not as the owner', async () => {
    await expect(h.community.members.leave(s.owner, s.guild.id)).rejects.toBeInstanceOf(CommunityError);
    await h.community.members.leave(s.bob, s.guild.id);
    expect(h.gateway.left).toContainEqual([s.guild.id, s.bob]);
    expect(h.gateway.events('GUILD_MEMBER_REMOVE').at(-1)?.data.user.id).toBe(s.bob);
  });
});

describe('roles and the hierarchy', () => {
  it('creates roles above @everyone and keeps positions dense on reorder', async () => {
    const mod = await h.community.roles.create(s.owner, s.guild.id, {
      name: 'mod',
      permissions: String(P.KickMembers | P.ManageRoles),
    });
    const vip = await h.community.roles.create(s.owner, s.guild.id, { name: 'vip' });
    expect(vip.position).toBe(1);
    expect((await h.community.roles.get(s.owner, s.guild.id, mod.id)).position).toBe(2);
    const roles = await h.community.roles.reorder(s.owner, s.guild.id, [
      { id: vip.id, position: 2 },
      { id: mod.id, position: 1 },
    ]);
    const byId = new Map(roles.map((r) => [r.id, r.position]));
    expect([byId.get(s.guild.id), byId.get(mod.id), byId.get(vip.id)]).toEqual([0, 1, 2]);
  });

  it('a member may only manage roles below their highest and grant permissions they hold', async () => {
    const admin = await h.community.roles.create(s.owner, s.guild.id, { name: 'top' });
    const mod = await h.community.roles.create(s.owner, s.guild.id, {
      name: 'mod',
      permissions: String(P.ManageRoles | P.ViewChannel),
    });
    await h.community.members.addRole(s.owner, s.guild.id, s.alice, mod.id);
    await expect(h.community.roles.modify(s.alice, s.guild.id, admin.id, { name: 'x' })).rejects.toBeInstanceOf(
      MissingPermissionsError,
    );
    await expect(h.community.roles.modify(s.alice, s.guild.id, mod.id, { name: 'x' })).rejects.toBeInstanceOf(
      MissingPermissionsError,
    );
    const low = await h.community.roles.create(s.alice, s.guild.id, { name: 'low' });
    await expect(
      h.community.roles.modify(s.alice, s.guild.id, low.id, { permissions: String(P.BanMembers) }),
    ).rejects.toMatchObject({ code: 50013 });
    await h.community.members.addRole(s.alice, s.guild.id, s.bob, low.id);
    await expect(h.community.members.addRole(s.alice, s.guild.id, s.bob, admin.id)).rejects.toMatchObject({
      code: 50013,
    });
    expect((await h.community.members.get(s.owner, s.guild.id, s.bob)).roles).toEqual([low.id]);
  });

  it('deleting a role takes it from members and overwrites; @everyone cannot be deleted', async () => {
    const role = await h.community.roles.create(s.owner, s.guild.id, { name: 'gone' });
    await h.community.members.addRole(s.owner, s.guild.id, s.bob, role.id);
    await h.community.channels.editOverwrite(s.owner, s.guild.id, s.general.id, role.id, {
      type: 0,
      allow: String(P.SendMessages),
      deny: '0',
    });
    await h.community.roles.delete(s.owner, s.guild.id, role.id);
    expect((await h.community.members.get(s.owner, s.guild.id, s.bob)).roles).toEqual([]);
    expect(
      ((await h.community.channels.get(s.owner, s.guild.id, s.general.id)) as { permission_overwrites?: unknown })
        .permission_overwrites,
    ).toEqual([]);
    await expect(h.community.roles.delete(s.owner, s.guild.id, s.guild.id)).rejects.toMatchObject({ code: 50028 });
    expect(h.gateway.events('GUILD_ROLE_DELETE').at(-1)?.data).toEqual({ guild_id: s.guild.id, role_id: role.id });
  });
});

describe('channels, overwrites and visibility', () => {
  it('hiding a channel from @everyone takes effect at once in the directory and on every route', async () => {
    const { community } = h;
    const secret = await community.channels.create(s.owner, s.guild.id, { name: 'Staff Room', type: 0 });
    expect(secret.name).toBe('staff-room');
    expect(community.directory.canView(s.alice, s.guild.id, secret.id)).toBe(true);
    await community.channels.editOverwrite(s.owner, s.guild.id, secret.id, s.guild.id, {
      type: 0,
      allow: '0',
      deny: String(P.ViewChannel),
    });
    expect(community.directory.canView(s.alice, s.guild.id, secret.id)).toBe(false);
    expect(community.directory.canView(s.owner, s.guild.id, secret.id)).toBe(true);
    await expect(community.messages.create(s.alice, secret.id, { content: 'hi' })).rejects.toBeInstanceOf(
      MissingAccessError,
    );
    const staff = await community.roles.create(s.owner, s.guild.id, { name: 'staff' });
    await community.channels.editOverwrite(s.owner, s.guild.id, secret.id, staff.id, {
      type: 0,
      allow: String(P.ViewChannel),
      deny: '0',
    });
    await community.members.addRole(s.owner, s.guild.id, s.alice, staff.id);
    expect(community.directory.canView(s.alice, s.guild.id, secret.id)).toBe(true);
    await community.members.removeRole(s.owner, s.guild.id, s.alice, staff.id);
    expect(community.directory.canView(s.alice, s.guild.id, secret.id)).toBe(false);
    expect(h.gateway.events('CHANNEL_UPDATE').length).toBeGreaterThanOrEqual(2);
  });

  it('a member without MANAGE_ROLES may not write overwrites, nor grant bits they lack', async () => {
    const mod = await h.community.roles.create(s.owner, s.guild.id, {
      name: 'mod',
      permissions: String(P.ManageChannels | P.ManageRoles | P.ViewChannel),
    });
    await h.community.members.addRole(s.owner, s.guild.id, s.alice, mod.id);
    await expect(
      h.community.channels.editOverwrite(s.bob, s.guild.id, s.general.id, s.bob, { type: 1, allow: '0', deny: '0' }),
    ).rejects.toMatchObject({ code: 50013 });
    await expect(
      h.community.channels.editOverwrite(s.alice, s.guild.id, s.general.id, s.bob, {
        type: 1,
        allow: String(P.Administrator),
        deny: '0',
      }),
    ).rejects.toMatchObject({ code: 50013 });
    await h.community.channels.editOverwrite(s.alice, s.guild.id, s.general.id, s.bob, {
      type: 1,
      allow: '0',
      deny: String(P.SendMessages),
    });
    await expect(h.community.messages.create(s.bob, s.general.id, { content: 'hi' })).rejects.toMatchObject({
      code: 50013,
    });
  });

  it('validates bodies: unknown parent, bad type, and reorders atomically', async () => {
    await expect(
      h.community.channels.create(s.owner, s.guild.id, { name: 'x', parent_id: s.general.id }),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(h.community.channels.create(s.owner, s.guild.id, { name: 'x', type: 11 })).rejects.toMatchObject({
      code: 50035,
    });
    const voice = s.channels.find((c) => c.type === 2)!;
    await expect(
      h.community.channels.reorder(s.owner, s.guild.id, [
        { id: voice.id, position: 3 },
        { id: '1', position: 1 },
      ]),
    ).rejects.toMatchObject({ code: 50035 });
    expect(await h.community.channels.get(s.owner, s.guild.id, voice.id)).toMatchObject({ position: 0 });
    await h.community.channels.reorder(s.owner, s.guild.id, [{ id: voice.id, position: 3, parent_id: null }]);
    expect(await h.community.channels.get(s.owner, s.guild.id, voice.id)).toMatchObject({
      position: 3,
      parent_id: null,
    });
  });

  it('deleting a category orphans its channels', async () => {
    const category = s.channels.find((c) => c.name === 'Text Channels')!;
    await h.community.channels.delete(s.owner, s.guild.id, category.id);
    expect(await h.community.channels.get(s.owner, s.guild.id, s.general.id)).toMatchObject({ parent_id: null });
    expect(h.gateway.events('CHANNEL_DELETE').at(-1)?.data.id).toBe(category.id);
  });
});

describe('moderation', () => {
  it('kicks and bans only below the actor, bans delete recent messages and block rejoining', async () => {
    const { community } = h;
    const mod = await community.roles.create(s.owner, s.guild.id, {
      name: 'mod',
      permissions: String(P.KickMembers | P.BanMembers | P.ViewChannel),
    });
    await community.members.addRole(s.owner, s.guild.id, s.alice, mod.id);
    await expect(community.members.kick(s.bob, s.guild.id, s.carol)).rejects.toMatchObject({ code: 50013 });
    await expect(community.members.kick(s.alice, s.guild.id, s.owner)).rejects.toMatchObject({ code: 50013 });
    await community.members.kick(s.alice, s.guild.id, s.carol, 'spam');
    expect(h.gateway.left).toContainEqual([s.guild.id, s.carol]);
    const message = await community.messages.create(s.bob, s.general.id, { content: 'bad' });
    await community.members.ban(s.alice, s.guild.id, s.bob, { delete_message_seconds: 3600 }, 'worse');
    expect((await h.messages.get(s.general.id, message.id))?.deleted).toBe(true);
    expect(h.gateway.events('GUILD_BAN_ADD').at(-1)?.data.user.id).toBe(s.bob);
    expect(await community.members.getBan(s.alice, s.guild.id, s.bob)).toMatchObject({ reason: 'worse' });
    await expect(community.invites.accept(s.bob, s.invite.code)).rejects.toMatchObject({ code: 40007 });
    await community.members.unban(s.alice, s.guild.id, s.bob);
    await community.invites.accept(s.bob, s.invite.code);
    const log = await community.auditLog.list(s.owner, s.guild.id);
    expect(log.map((e) => e.action_type)).toEqual(expect.arrayContaining([20, 22, 23]));
  });

  it('times out with MODERATE_MEMBERS: the member keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY until it ends', async () => {
    const until = new Date(h.clock.now + 60_000).toISOString();
    await expect(
      h.community.members.modify(s.bob, s.guild.id, s.carol, { communication_disabled_until: until }),
    ).rejects.toMatchObject({ code: 50013 });
    await h.community.members.modify(s.owner, s.guild.id, s.carol, { communication_disabled_until: until });
    await expect(h.community.messages.create(s.carol, s.general.id, { content: 'hi' })).rejects.toMatchObject({
      code: 50013,
    });
    expect(h.community.directory.canView(s.carol, s.guild.id, s.general.id)).toBe(true);
    const tooLong = new Date(h.clock.now + 29 * 86_400_000).toISOString();
    await expect(
      h.community.members.modify(s.owner, s.guild.id, s.carol, { communication_disabled_until: tooLong }),
    ).rejects.toMatchObject({ code: 50035 });
  });

  it('nicknames: CHANGE_NICKNAME for oneself, MANAGE_NICKNAMES for others', async () => {
    const self = await h.community.members.modify(s.bob, s.guild.id, s.bob, { nick: 'Bobby' });
    expect(self.nick).toBe('Bobby');
    await expect(h.community.members.modify(s.bob, s.guild.id, s.carol, { nick: 'x' })).rejects.toMatchObject({
      code: 50013,
    });
    expect(h.gateway.events('GUILD_MEMBER_UPDATE').at(-1)?.data).toMatchObject({ nick: 'Bobby', guild_id: s.guild.id });
  });
});

describe('messages, reactions, pins', () => {
  it('resolves mentions as allowed_mentions and permissions allow, and replies', async () => {
    const { community } = h;
    const first = await community.messages.create(s.alice, s.general.id, {
      content: `hi <@${s.bob}> @everyone <@${'999'}>`,
    });
    expect(first.mentions.map((u) => u.id)).toEqual([s.bob]);
    expect(first.mention_everyone).toBe(false);
    const quiet = await community.messages.create(s.owner, s.general.id, {
      content: `<@${s.bob}> @everyone`,
      allowed_mentions: { parse: [] },
    });
    expect(quiet.mentions).toEqual([]);
    expect(quiet.mention_everyone).toBe(false);
    const loud = await community.messages.create(s.owner, s.general.id, { content: '@everyone' });
    expect(loud.mention_everyone).toBe(true);
    const reply = await community.messages.create(s.bob, s.general.id, {
      content: 'yes',
      message_reference: { message_id: first.id },
    });
    expect(reply.type).toBe(19);
    expect(reply.referenced_message?.id).toBe(first.id);
    expect(reply.mentions.map((u) => u.id)).toEqual([s.alice]);
    // Reads carry the replied-to message too (null once it is deleted), as Discord's do.
    const listed = (await community.messages.list(s.alice, s.general.id)).find((m) => m.id === reply.id);
    expect(listed?.referenced_message?.id).toBe(first.id);
    await community.messages.delete(s.alice, s.general.id, first.id);
    expect((await community.messages.get(s.alice, s.general.id, reply.id)).referenced_message).toBeNull();
    const created = h.gateway.events('MESSAGE_CREATE').at(-1)!;
    expect(created.to).toEqual({ guildId: s.guild.id, channelId: s.general.id });
    expect(created.data.member.roles).toEqual([]);
  });

  it('edits (author only), deletes (author or MANAGE_MESSAGES) and bulk deletes', async () => {
    const { community } = h;
    const message = await community.messages.create(s.alice, s.general.id, { content: 'one' });
    await expect(community.messages.edit(s.bob, s.general.id, message.id, { content: 'x' })).rejects.toMatchObject({
      code: 50005,
    });
    const edited = await community.messages.edit(s.alice, s.general.id, message.id, { content: 'two' });
    expect(edited.content).toBe('two');
    expect(edited.edited_timestamp).not.toBeNull();
    await expect(community.messages.delete(s.bob, s.general.id, message.id)).rejects.toMatchObject({ code: 50013 });
    await community.messages.delete(s.owner, s.general.id, message.id);
    await expect(community.messages.get(s.alice, s.general.id, message.id)).rejects.toMatchObject({ code: 10008 });
    const a = await community.messages.create(s.alice, s.general.id, { content: 'a' });
    const b = await community.messages.create(s.alice, s.general.id, { content: 'b' });
    await expect(community.messages.bulkDelete(s.owner, s.general.id, { messages: [a.id] })).rejects.toMatchObject({
      code: 50035,
    });
    await community.messages.bulkDelete(s.owner, s.general.id, { messages: [a.id, b.id] });
    expect(h.gateway.events('MESSAGE_DELETE_BULK').at(-1)?.data.ids).toEqual([a.id, b.id]);
    expect(await community.messages.list(s.alice, s.general.id)).toEqual([]);
  });

  it('reactions: counts, me per viewer, removal by moderators, the 20-emoji limit', async () => {
    const { community } = h;
    const message = await community.messages.create(s.alice, s.general.id, { content: 'react' });
    await community.reactions.add(s.bob, s.general.id, message.id, '👍');
    await community.reactions.add(s.carol, s.general.id, message.id, '👍');
    await community.reactions.add(s.carol, s.general.id, message.id, '👍');
    const seen = await community.messages.get(s.bob, s.general.id, message.id);
    expect(seen.reactions).toEqual([expect.objectContaining({ count: 2, me: true, emoji: { id: null, name: '👍' } })]);
    expect((await community.messages.get(s.alice, s.general.id, message.id)).reactions?.[0]?.me).toBe(false);
    expect((await community.reactions.users(s.alice, s.general.id, message.id, '👍')).map((u) => u.id)).toEqual([
      s.bob,
      s.carol,
    ]);
    await expect(community.reactions.remove(s.bob, s.general.id, message.id, '👍', s.carol)).rejects.toMatchObject({
      code: 50013,
    });
    await community.reactions.remove(s.owner, s.general.id, message.id, '👍', s.carol);
    await community.reactions.remove(s.bob, s.general.id, message.id, '👍');
    expect((await community.messages.get(s.bob, s.general.id, message.id)).reactions).toBeUndefined();
    for (let i = 0; i < 20; i++) await community.reactions.add(s.bob, s.general.id, message.id, `e${i}`);
    await expect(community.reactions.add(s.bob, s.general.id, message.id, 'e20')).rejects.toMatchObject({
      code: 30010,
    });
    await expect(community.reactions.add(s.bob, s.general.id, message.id, 'name:123')).rejects.toMatchObject({
      code: 10014,
    });
    await community.reactions.clear(s.owner, s.general.id, message.id);
    expect((await community.messages.get(s.bob, s.general.id, message.id)).reactions).toBeUndefined();
    expect(h.gateway.events('MESSAGE_REACTION_ADD')[0]?.data).toMatchObject({
      user_id: s.bob,
      message_author_id: s.alice,
    });
  });

  it('pins: PIN_MESSAGES, CHANNEL_PINS_UPDATE, newest first', async () => {
    const { community } = h;
    const a = await community.messages.create(s.alice, s.general.id, { content: 'a' });
    const b = await community.messages.create(s.alice, s.general.id, { content: 'b' });
    await expect(community.pins.pin(s.bob, s.general.id, a.id)).rejects.toMatchObject({ code: 50013 });
    await community.pins.pin(s.owner, s.general.id, a.id);
    h.clock.now += 1000;
    await community.pins.pin(s.owner, s.general.id, b.id);
    expect((await community.pins.list(s.bob, s.general.id)).map((m) => [m.id, m.pinned])).toEqual([
      [b.id, true],
      [a.id, true],
    ]);
    await community.pins.unpin(s.owner, s.general.id, b.id);
    expect((await community.pins.list(s.bob, s.general.id)).map((m) => m.id)).toEqual([a.id]);
    expect(h.gateway.events('CHANNEL_PINS_UPDATE')).toHaveLength(3);
  });
});

describe('DMs', () => {
  it('opens the same DM each time and delivers its messages to both recipients only', async () => {
    const { community } = h;
    const dm = await community.dms.open(s.alice, { recipient_id: s.bob });
    expect(dm).toMatchObject({ type: 1, recipients: [expect.objectContaining({ id: s.bob })] });
    expect((await community.dms.open(s.bob, { recipient_id: s.alice })).id).toBe(dm.id);
    const message = await community.messages.create(s.bob, dm.id, { content: 'psst' });
    expect(message.guild_id).toBeUndefined();
    expect(h.gateway.events('MESSAGE_CREATE').at(-1)?.to).toEqual({ userIds: [s.alice, s.bob] });
    await expect(community.messages.list(s.carol, dm.id)).rejects.toBeInstanceOf(MissingAccessError);
    expect((await community.dms.list(s.alice)).map((c) => c.id)).toEqual([dm.id]);
    await expect(community.dms.open(s.alice, { recipient_id: s.alice })).rejects.toMatchObject({ code: 50033 });
    const group = await community.dms.open(s.alice, { recipients: [s.bob, s.carol] });
    expect(group).toMatchObject({ type: 3, owner_id: s.alice });
  });
});

describe('users', () => {
  it('a profile change reaches the user and every guild they are in', async () => {
    const me = await h.community.users.modifyMe(s.alice, { global_name: 'Alice A.' });
    expect(me.global_name).toBe('Alice A.');
    expect(h.gateway.events('USER_UPDATE').at(-1)?.to).toEqual({ userIds: [s.alice] });
    expect(h.gateway.events('GUILD_MEMBER_UPDATE').at(-1)?.data.user.global_name).toBe('Alice A.');
    expect((await h.community.members.get(s.owner, s.guild.id, s.alice)).user.global_name).toBe('Alice A.');
  });
});

describe('a cluster of two nodes', () => {
  it('sees the other node’s role and overwrite changes at once', async () => {
    const b = await createHarness({ store: h.store, messages: h.messages, clock: h.clock, broker: h.gateway.broker });
    const secret = await h.community.channels.create(s.owner, s.guild.id, { name: 'secret' });
    expect(await b.community.directory.canView(s.alice, s.guild.id, secret.id)).toBe(true);
    await h.community.channels.editOverwrite(s.owner, s.guild.id, secret.id, s.guild.id, {
      type: 0,
      allow: '0',
      deny: String(P.ViewChannel),
    });
    expect(b.community.directory.canView(s.alice, s.guild.id, secret.id)).toBe(false);
    const role = await b.community.roles.create(s.owner, s.guild.id, { name: 'insider' });
    await b.community.channels.editOverwrite(s.owner, s.guild.id, secret.id, role.id, {
      type: 0,
      allow: String(P.ViewChannel),
      deny: '0',
    });
    await b.community.members.addRole(s.owner, s.guild.id, s.alice, role.id);
    expect(h.community.directory.canView(s.alice, s.guild.id, secret.id)).toBe(true);
    await h.community.users.ensure({ id: '4000', username: 'newcomer' });
    await h.community.invites.accept('4000', s.invite.code);
    expect(b.gateway.joined).toContainEqual([s.guild.id, '4000']);
    await b.community.close();
  });
});

describe('slowmode and last_message_id', () => {
  it('holds a member to rate_limit_per_user, exempts moderators, and tracks the last message', async () => {
    const { community } = h;
    await community.channels.modify(s.owner, s.guild.id, s.general.id, { rate_limit_per_user: 10 });
    const first = await community.messages.create(s.alice, s.general.id, { content: 'one' });
    const refused = await community.messages.create(s.alice, s.general.id, { content: 'two' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 20016, status: 429, retryAfter: 10 });
    await community.messages.create(s.owner, s.general.id, { content: 'mods are exempt' });
    h.clock.now += 10_000;
    const second = await community.messages.create(s.alice, s.general.id, { content: 'two' });
    expect(
      ((await community.channels.get(s.bob, s.guild.id, s.general.id)) as { last_message_id?: string }).last_message_id,
    ).toBe(second.id);
    expect(first.id < second.id).toBe(true);
  });
});

describe('MESSAGE_CREATE and the channel write', () => {
  it('dispatches a stored message before writing the channel’s last_message_id, which then follows it', async () => {
    // The delivery must not wait for the channel's record (issue #19: POST → first delivery); the message itself is
    // stored before either.
    const write = h.store.write.bind(h.store);
    const seenAtChannelWrite: { dispatched: number; stored: boolean }[] = [];
    h.store.write = async (writes) => {
      if (writes.some((w) => w.kind === 'channel' && w.op === 'put')) {
        const dispatched = h.gateway.events('MESSAGE_CREATE');
        const id = dispatched.at(-1)?.data.id as string | undefined;
        seenAtChannelWrite.push({
          dispatched: dispatched.length,
          stored: id !== undefined && (await h.messages.get(s.general.id, id)) !== null,
        });
      }
      return write(writes);
    };
    const sent = await h.community.messages.create(s.alice, s.general.id, { content: 'hello' });
    expect(seenAtChannelWrite).toEqual([{ dispatched: 1, stored: true }]);
    expect(h.gateway.events('MESSAGE_CREATE')[0]?.data.id).toBe(sent.id);
    expect(
      ((await h.community.channels.get(s.bob, s.guild.id, s.general.id)) as { last_message_id?: string })
        .last_message_id,
    ).toBe(sent.id);
  });
});

describe('adding a bot (oauth2 authorize)', () => {
  it('needs MANAGE_GUILD, grants only held permissions, and gives the bot a managed role', async () => {
    const { community } = h;
    await community.users.ensure({ id: '5000', username: 'HelperBot', bot: true });
    await expect(community.bots.authorize(s.alice, s.guild.id, '5000', P.SendMessages)).rejects.toMatchObject({
      code: 50013,
    });
    await expect(community.bots.authorize(s.owner, s.guild.id, s.alice, 0n)).rejects.toMatchObject({ code: 10002 });
    const member = await community.bots.authorize(s.owner, s.guild.id, '5000', P.SendMessages | P.ManageMessages);
    expect(member.roles).toHaveLength(1);
    const role = await community.roles.get(s.owner, s.guild.id, member.roles[0]!);
    expect(role).toMatchObject({
      name: 'HelperBot',
      managed: true,
      tags: { bot_id: '5000' },
      permissions: String(P.SendMessages | P.ManageMessages),
    });
    await expect(community.roles.delete(s.owner, s.guild.id, role.id)).rejects.toMatchObject({ code: 50013 });
    await expect(community.members.removeRole(s.owner, s.guild.id, '5000', role.id)).rejects.toMatchObject({
      code: 50013,
    });
    expect(h.gateway.joined).toContainEqual([s.guild.id, '5000']);
    // Removing the bot takes its managed role with it.
    await community.members.kick(s.owner, s.guild.id, '5000');
    await expect(community.roles.get(s.owner, s.guild.id, role.id)).rejects.toMatchObject({ code: 10011 });
    expect(h.gateway.events('GUILD_ROLE_DELETE').at(-1)?.data).toEqual({ guild_id: s.guild.id, role_id: role.id });
  });
});

describe('voice moderation', () => {
  it('moves and disconnects with MOVE_MEMBERS, refreshes server mute on the node holding the session', async () => {
    const { community } = h;
    const voice = s.channels.find((c) => c.type === 2)!;
    await expect(community.members.modify(s.bob, s.guild.id, s.carol, { channel_id: voice.id })).rejects.toMatchObject({
      code: 50013,
    });
    await expect(
      community.members.modify(s.owner, s.guild.id, s.carol, { channel_id: s.general.id }),
    ).rejects.toMatchObject({ code: 50035 });
    await community.members.modify(s.owner, s.guild.id, s.carol, { channel_id: voice.id });
    await community.members.modify(s.owner, s.guild.id, s.carol, { channel_id: null });
    await community.members.modify(s.owner, s.guild.id, s.carol, { mute: true });
    expect(h.gateway.voice).toEqual([
      [s.guild.id, s.carol, voice.id],
      [s.guild.id, s.carol, null],
      [s.guild.id, s.carol, undefined],
    ]);
    const log = await community.auditLog.list(s.owner, s.guild.id);
    expect(log.map((e) => e.action_type)).toEqual(expect.arrayContaining([26, 27]));
  });
});

describe('temporary membership', () => {
  it('ends when the member goes offline without having been given a role', async () => {
    const { community } = h;
    await community.users.ensure({ id: '6000', username: 'guest' });
    await community.users.ensure({ id: '6001', username: 'kept' });
    const invite = await community.invites.create(s.owner, s.general.id, { temporary: true, unique: true });
    await community.invites.accept('6000', invite.code);
    await community.invites.accept('6001', invite.code);
    const role = await community.roles.create(s.owner, s.guild.id, { name: 'welcome' });
    await community.members.addRole(s.owner, s.guild.id, '6001', role.id);
    expect(await community.members.expireTemporary('6000')).toBe(1);
    expect(await community.members.expireTemporary('6001')).toBe(0);
    expect(h.gateway.left).toContainEqual([s.guild.id, '6000']);
    await expect(community.members.get(s.owner, s.guild.id, '6000')).rejects.toMatchObject({ code: 10007 });
  });
});
