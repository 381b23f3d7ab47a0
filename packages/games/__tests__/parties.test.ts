import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { GameHost, type Party, PartyError } from '../src/index.js';
import { PARTY_RECORD_KIND } from '../src/parties/PartyRecord.js';
import { createGame, GAME_GUILD, SERVICE_USER } from './gameHarness.js';
import { SECRET } from './helpers.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return error instanceof PartyError ? error.code : String(error);
  }
}

async function canJoinVoice(
  community: Awaited<ReturnType<typeof createGame>>['community'],
  userId: string,
  channelId: string,
) {
  const access = await community.directory.channelPermissions?.(userId, GAME_GUILD, channelId);
  return (
    access !== null &&
    access !== undefined &&
    (access.permissions & (P.ViewChannel | P.Connect)) === P.ViewChannel + P.Connect
  );
}

describe('parties', () => {
  it('creates a hidden voice channel the leader can use and nobody else can see', async () => {
    const { community, host, players, gateway } = await createGame(3);
    const [leader, other] = players as [string, string];
    const party = await host.createParty({ leaderId: leader, capacity: 4, name: 'Squad' });
    const channel = gateway.events('CHANNEL_CREATE').at(-1)!.data;
    expect(channel).toMatchObject({ id: party.id, type: 2, name: 'Squad', user_limit: 4 });
    expect(party.info()).toMatchObject({ leaderId: leader, members: [leader], capacity: 4, joinMode: 'invite' });
    expect(await canJoinVoice(community, leader, party.id)).toBe(true);
    expect(await canJoinVoice(community, other, party.id)).toBe(false);
    // The game's own service user is the actor of record.
    const [entry] = await host.auditLog({ limit: 1 });
    expect(entry).toMatchObject({ user_id: SERVICE_USER, target_id: party.id, action_type: 10 });
  });

  it('invite mode: a join token lets a player in; a token for someone else, another party or none does not', async () => {
    const { community, host, players } = await createGame(4);
    const [leader, a, b, c] = players as [string, string, string, string];
    const party = await host.createParty({ leaderId: leader });
    const other = await host.createParty({ leaderId: c });
    expect(await codeOf(party.join(a))).toBe('JOIN_TOKEN_REQUIRED');
    expect(await codeOf(party.join(a, { token: other.createJoinToken() }))).toBe('JOIN_TOKEN_INVALID');
    expect(await codeOf(party.join(a, { token: party.createJoinToken({ userId: b }) }))).toBe('JOIN_TOKEN_INVALID');
    // A player token is not a join token (and the reverse): different keys.
    expect(await codeOf(party.join(a, { token: host.issueToken(a) }))).toBe('JOIN_TOKEN_INVALID');
    expect(host.tokens.verify(party.createJoinToken())).toEqual({ ok: false, reason: 'bad_signature' });
    await party.join(a, { token: party.createJoinToken({ userId: a }) });
    await party.join(b, { token: party.createJoinToken() });
    expect(party.members).toEqual([leader, a, b]);
    expect(await canJoinVoice(community, a, party.id)).toBe(true);
  });

  it('open, closed and the cap; the game server adds whatever the mode', async () => {
    const { host, players } = await createGame(5);
    const [leader, a, b, c, d] = players as [string, string, string, string, string];
    const party = await host.createParty({ leaderId: leader, capacity: 3, joinMode: 'open' });
    await party.join(a);
    await party.setJoinMode('closed');
    expect(await codeOf(party.join(b))).toBe('PARTY_CLOSED');
    await party.add(b);
    expect(await codeOf(party.add(c))).toBe('PARTY_FULL');
    // Two joins racing for the last place: one gets it.
    await party.leave(b);
    await party.setJoinMode('open');
    const results = await Promise.allSettled([party.join(c), party.join(d)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(party.members).toHaveLength(3);
    expect(await codeOf(party.join('1300000000000000999'))).toBe('PARTY_FULL');
  });

  it('refuses someone who is not a player of the game', async () => {
    const { community, host, players } = await createGame(1);
    await community.users.ensure({ id: '1400000000000000000', username: 'outsider' });
    const party = await host.createParty({ leaderId: players[0]!, joinMode: 'open' });
    expect(await codeOf(party.join('1400000000000000000'))).toBe('NOT_A_PLAYER');
    expect(await codeOf(host.createParty({ leaderId: '1400000000000000000' }))).toBe('NOT_A_PLAYER');
    expect(await codeOf(host.createParty({ leaderId: players[0]!, capacity: 100 }))).toBe('INVALID_OPTIONS');
  });

  it('says PARTY_LIMIT once the game guild holds 500 channels, and takes parties again when one ends', async () => {
    const { community, host, players } = await createGame(1);
    const guild = await community.directory.guild(GAME_GUILD);
    const room = 500 - (guild?.channels.length ?? 0);
    const parties = [];
    for (let i = 0; i < room; i++) parties.push(await host.createParty({ leaderId: players[0]!, joinMode: 'open' }));
    const refused = await host.createParty({ leaderId: players[0]! }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PartyError);
    expect(refused).toMatchObject({ code: 'PARTY_LIMIT', cause: { code: 30013 } });
    await parties[0]!.end();
    expect((await host.createParty({ leaderId: players[0]! })).info().leaderId).toBe(players[0]);
  });

  it('a second game guild on the same community has its own parties and its own limit (sharding a large game)', async () => {
    const { community, host, players } = await createGame(1);
    const shard = await GameHost.open({
      community,
      guild: { id: '1300000000000009000', name: 'Space Game EU' },
      serviceUser: { id: SERVICE_USER, username: 'Space Game' },
      keys: [{ id: 'k1', secret: SECRET }],
    });
    const euPlayer = await shard.createPlayer({ id: '1300000000000009100', username: 'eu-player' });
    const here = await host.createParty({ leaderId: players[0]! });
    const there = await shard.createParty({ leaderId: euPlayer.id });
    expect(host.parties().map((p) => p.id)).toEqual([here.id]);
    expect(shard.parties().map((p) => p.id)).toEqual([there.id]);
    // Players belong to their shard's guild: a party of one game guild does not take the other's players.
    expect(await codeOf(there.add(players[0]!))).toBe('NOT_A_PLAYER');
    const eu = await community.directory.guild('1300000000000009000');
    const room = 500 - (eu?.channels.length ?? 0);
    for (let i = 0; i < room; i++) await shard.createParty({ leaderId: euPlayer.id });
    expect(await codeOf(shard.createParty({ leaderId: euPlayer.id }))).toBe('PARTY_LIMIT');
    expect((await host.createParty({ leaderId: players[0]! })).ended).toBe(false);
  });

  it('a leaving leader hands over to the longest-standing member; a leaver in voice is disconnected', async () => {
    const { community, host, players, gateway } = await createGame(3);
    const [leader, a, b] = players as [string, string, string];
    const party = await host.createParty({ leaderId: leader, joinMode: 'open' });
    await party.join(a);
    await party.join(b);
    const changes: string[] = [];
    party.on('leaderChanged', (id, previous) => changes.push(`${previous}->${id}`));
    community.directory.setVoiceState(GAME_GUILD, voiceState(leader, party.id));
    await party.leave(leader);
    expect(party.leaderId).toBe(a);
    expect(changes).toEqual([`${leader}->${a}`]);
    expect(gateway.voiceMoves).toContainEqual([leader, null]);
    expect(await canJoinVoice(community, leader, party.id)).toBe(false);
    await party.kick(b);
    expect(party.members).toEqual([a]);
  });

  it('ends when the last member leaves: channel deleted, voice disconnected, the host forgets it', async () => {
    const { host, players, gateway } = await createGame(2);
    const [leader, a] = players as [string, string];
    const party = await host.createParty({ leaderId: leader, joinMode: 'open' });
    await party.join(a);
    const ended: string[] = [];
    host.on('partyEnded', (p, reason) => ended.push(`${p.id}:${reason}`));
    await party.leave(a);
    await party.leave(leader);
    expect(party.ended).toBe(true);
    expect(ended).toEqual([`${party.id}:empty`]);
    expect(gateway.events('CHANNEL_DELETE').map((e) => e.data.id)).toContain(party.id);
    expect(host.party(party.id)).toBeUndefined();
    expect(await codeOf(party.join(a))).toBe('PARTY_ENDED');
    expect(() => party.createJoinToken()).toThrow(PartyError);
  });

  it('a match end ends its parties only; closing the host ends the rest', async () => {
    const { community, host, players, gateway } = await createGame(3);
    const [a, b, c] = players as [string, string, string];
    const p1 = await host.createParty({ leaderId: a, matchId: 'm1' });
    const p2 = await host.createParty({ leaderId: b, matchId: 'm1' });
    const p3 = await host.createParty({ leaderId: c, matchId: 'm2' });
    community.directory.setVoiceState(GAME_GUILD, voiceState(a, p1.id));
    expect(await host.endMatch('m1')).toBe(2);
    expect([p1.ended, p2.ended, p3.ended]).toEqual([true, true, false]);
    expect(gateway.voiceMoves).toContainEqual([a, null]);
    await host.close();
    expect(p3.ended).toBe(true);
    expect(host.parties()).toEqual([]);
  });

  it('a party whose channel was deleted by someone else still ends cleanly', async () => {
    const { community, host, players } = await createGame(1);
    const party = await host.createParty({ leaderId: players[0]! });
    await community.channels.delete(SERVICE_USER, GAME_GUILD, party.id);
    await party.end();
    expect(party.ended).toBe(true);
  });
});

function voiceState(userId: string, channelId: string) {
  return {
    guild_id: GAME_GUILD,
    channel_id: channelId,
    user_id: userId,
    session_id: 's',
    deaf: false,
    mute: false,
    self_deaf: false,
    self_mute: false,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
}

describe('parties kept across hosts (parties.store)', () => {
  const reopen = async (game: Awaited<ReturnType<typeof createGame>>) => {
    const restored: Party[] = [];
    const next = await GameHost.open({
      community: game.community,
      guild: { id: GAME_GUILD, name: 'Space Game' },
      serviceUser: { id: SERVICE_USER, username: 'Space Game' },
      keys: [{ id: 'k1', secret: SECRET }],
      parties: { store: game.store },
    });
    // Restored before `open` resolved: read them from the host.
    restored.push(...next.parties());
    return { next, restored };
  };

  it('a host opened after a crash takes the parties over as they were, and they go on', async () => {
    const game = await createGame(5, { keepParties: true });
    const [a, b, c, d] = game.players as [string, string, string, string];
    const party = await game.host.createParty({ leaderId: a, capacity: 4, joinMode: 'open', matchId: 'm1' });
    await party.join(b);
    await party.join(c);
    await party.setLeader(b);
    await party.setJoinMode('invite');
    const gone = await game.host.createParty({ leaderId: d });
    // The first host "crashes" (nothing ended); meanwhile the second party's channel was deleted by a moderator.
    await game.community.channels.delete(SERVICE_USER, GAME_GUILD, gone.id, 'cleanup');
    const { next } = await reopen(game);
    const back = next.party(party.id)!;
    expect(back.info()).toEqual({ ...party.info(), ended: false });
    expect(back.info()).toMatchObject({
      leaderId: b,
      members: [a, b, c],
      joinMode: 'invite',
      matchId: 'm1',
      capacity: 4,
    });
    expect(next.party(gone.id)).toBeUndefined();
    expect(await game.store.get(PARTY_RECORD_KIND, GAME_GUILD, gone.id)).toBeNull();
    // It goes on: the leader leaves (hand-over in the kept join order), the match ends it, its record goes.
    await back.leave(b);
    expect(back.leaderId).toBe(a);
    expect(await next.endMatch('m1')).toBe(1);
    expect(await game.store.get(PARTY_RECORD_KIND, GAME_GUILD, party.id)).toBeNull();
    await expect(game.community.channels.get(SERVICE_USER, GAME_GUILD, party.id)).rejects.toThrow();
  });

  it('trusts the channel for who is in it, and ends a party with nobody left or a damaged record', async () => {
    const game = await createGame(4, { keepParties: true });
    const [a, b, c] = game.players as [string, string, string];
    const party = await game.host.createParty({ leaderId: a, joinMode: 'open' });
    await party.join(b);
    // A crash between the overwrite and the save: c is in the channel but not in the record; a left the channel.
    await game.community.channels.editOverwrite(
      SERVICE_USER,
      GAME_GUILD,
      party.id,
      c,
      {
        type: 1,
        allow: String(
          P.ViewChannel | P.Connect | P.Speak | P.UseVAD | P.SendMessages | P.ReadMessageHistory | P.AddReactions,
        ),
        deny: '0',
      },
      'test',
    );
    await game.community.channels.deleteOverwrite(SERVICE_USER, GAME_GUILD, party.id, a, 'test');
    const damaged = await game.host.createParty({ leaderId: c });
    await game.store.write([
      { op: 'put', kind: PARTY_RECORD_KIND, partition: GAME_GUILD, id: damaged.id, value: { v: 9 } },
    ]);
    const { next } = await reopen(game);
    expect(next.party(party.id)!.info()).toMatchObject({ leaderId: b, members: [b, c] });
    expect(next.party(damaged.id)).toBeUndefined();
    await expect(game.community.channels.get(SERVICE_USER, GAME_GUILD, damaged.id)).rejects.toThrow();
    expect(await game.store.get(PARTY_RECORD_KIND, GAME_GUILD, damaged.id)).toBeNull();
  });

  it('close({ endParties: false }) hands parties to the next host; close() ends them', async () => {
    const game = await createGame(2, { keepParties: true });
    const party = await game.host.createParty({ leaderId: game.players[0]! });
    await game.host.close({ endParties: false });
    expect(game.host.parties()).toEqual([]);
    const { next } = await reopen(game);
    expect(next.party(party.id)?.members).toEqual([game.players[0]]);
    await next.close();
    expect(await game.store.get(PARTY_RECORD_KIND, GAME_GUILD, party.id)).toBeNull();
    await expect(game.community.channels.get(SERVICE_USER, GAME_GUILD, party.id)).rejects.toThrow();
  });
});
