import { AuditLogEvent } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { createGame, GAME_GUILD, SERVICE_USER } from './gameHarness.js';

describe('GameHost moderation and channels', () => {
  it('server mute and deafen, moves and disconnects: the player cannot undo them; each one audited', async () => {
    const { community, host, players, gateway } = await createGame(2);
    const [player, other] = players as [string, string];
    const lobby = await host.createChannel({ name: 'lobby', type: 'voice' });
    await host.setVoice(player, { mute: true, deaf: true }, 'griefing');
    const member = gateway.events('GUILD_MEMBER_UPDATE').at(-1)!.data;
    expect(member).toMatchObject({ user: { id: player }, mute: true, deaf: true });
    // The player, or another player, trying to lift it is refused (no MUTE_MEMBERS, DEAFEN_MEMBERS).
    await expect(community.members.modify(player, GAME_GUILD, player, { mute: false })).rejects.toThrow();
    await expect(community.members.modify(other, GAME_GUILD, player, { deaf: false })).rejects.toThrow();
    await host.setVoice(player, { channelId: lobby.id }, 'to the lobby');
    await host.setVoice(player, { channelId: null }, 'match over');
    expect(gateway.voiceMoves).toEqual([
      [player, lobby.id],
      [player, null],
    ]);
    const log = await host.auditLog({ limit: 10 });
    expect(log.map((e) => [e.action_type, e.reason ?? null])).toEqual(
      expect.arrayContaining([
        [AuditLogEvent.MemberUpdate, 'griefing'],
        [AuditLogEvent.MemberMove, 'to the lobby'],
        [AuditLogEvent.MemberDisconnect, 'match over'],
      ]),
    );
    expect(log.every((e) => e.user_id === SERVICE_USER)).toBe(true);
  });

  it('timeouts stop a player posting; kicks and bans remove them; a banned player cannot be re-added', async () => {
    const { community, host, players } = await createGame(2);
    const [player, other] = players as [string, string];
    const general = (await community.channels.list(SERVICE_USER, GAME_GUILD)).find((c) => c.name === 'general')!;
    await community.messages.create(player, general.id, { content: 'gg' });
    await host.timeout(player, new Date(Date.now() + 60_000), 'spam');
    await expect(community.messages.create(player, general.id, { content: 'spam' })).rejects.toThrow();
    await host.timeout(player, null);
    await community.messages.create(player, general.id, { content: 'sorry' });
    await host.kick(other, 'afk');
    expect(await community.directory.members(GAME_GUILD, { limit: 1, userIds: [other] })).toEqual([]);
    await host.ban(player, {}, 'cheating');
    await expect(host.createPlayer({ id: player, username: 'again' })).rejects.toThrow();
    await host.unban(player, 'appeal accepted');
    await host.createPlayer({ id: player, username: 'again' });
    const actions = (await host.auditLog({ limit: 20 })).map((e) => e.action_type);
    expect(actions).toEqual(
      expect.arrayContaining([AuditLogEvent.MemberKick, AuditLogEvent.MemberBanAdd, AuditLogEvent.MemberBanRemove]),
    );
  });

  it('hidden channels: only players allowed in see them', async () => {
    const { community, host, players } = await createGame(2);
    const [red, blue] = players as [string, string];
    const team = await host.createChannel({ name: 'red team', type: 'text', hidden: true });
    await host.allowChannel(team.id, red, true, 'team assignment');
    await community.messages.create(red, team.id, { content: 'push mid' });
    await expect(community.messages.create(blue, team.id, { content: 'hi' })).rejects.toThrow();
    await host.allowChannel(team.id, red, false);
    await expect(community.messages.create(red, team.id, { content: 'still here?' })).rejects.toThrow();
    await host.closeChannel(team.id, 'match over');
  });

  it('open() on an existing game guild reuses it (a restart)', async () => {
    const { community, host } = await createGame(0);
    await host.createChannel({ name: 'kept', type: 'text' });
    const again = await (await import('../src/index.js')).GameHost.open({
      community,
      guild: { id: host.guildId, name: 'Space Game' },
      serviceUser: { id: SERVICE_USER, username: 'Space Game' },
      keys: [{ id: 'k1', secret: 'x'.repeat(32) }],
    });
    expect(again.guildId).toBe(host.guildId);
    // Not created twice: the guild kept the channels made before the restart.
    const channels = await community.channels.list(SERVICE_USER, GAME_GUILD);
    expect(channels.filter((c) => c.name === 'general')).toHaveLength(1);
    expect(channels.some((c) => c.name === 'kept')).toBe(true);
  });
});
