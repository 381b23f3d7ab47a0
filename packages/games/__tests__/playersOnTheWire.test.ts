// The engine contract's executable check (docs/ENGINE-CONTRACT.md): a bare client that only does what the contract
// lists — a WebSocket, JSON, fetch — connects with a player token, follows a party, joins and leaves its voice.
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from './helpers.js';
import { MatchPlayer, startMatchStack } from './matchHarness.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, read field by field by the assertions.
type Json = any;

let stack: Awaited<ReturnType<typeof startMatchStack>> | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

async function start() {
  stack = await startMatchStack();
  return stack;
}

function player(s: NonNullable<typeof stack>, userId: string, token: string): MatchPlayer {
  const p = new MatchPlayer(s.url, userId, token);
  s.players.push(p);
  return p;
}

describe('players on the wire', () => {
  it('connect with the tokens the game server issued; a forged or expired one is closed with 4004', async () => {
    const s = await start();
    const { host, url } = s;
    const ada = (await host.createPlayer({ id: '1300000000000000100', username: 'ada' })).id;
    const ready = await player(s, ada, host.issueToken(ada)).identify();
    expect(ready.user).toMatchObject({ id: ada, username: 'ada', bot: false });
    expect(ready.guilds.map((g: Json) => g.id)).toEqual([host.guildId]);
    const me = await fetch(`${url}/api/v10/users/@me`, {
      headers: { authorization: `Bearer ${host.issueToken(ada)}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: ada });
    const now = Math.floor(Date.now() / 1000);
    const expired = signToken({ alg: 'HS256', kid: 'k1' }, { sub: ada, iat: now - 3600, exp: now - 1800 });
    for (const token of [`${host.issueToken(ada).slice(0, -2)}xx`, expired]) {
      const refused = player(s, ada, token);
      const closed = refused.closed();
      await refused.sendIdentify();
      expect(await closed).toBe(4004);
    }
  });

  it('a party: members see it and join its voice, others cannot; leaving disconnects; the end deletes it', async () => {
    const s = await start();
    const { host } = s;
    const ids = await Promise.all(
      ['ada', 'bob', 'cy'].map(
        async (name, i) => (await host.createPlayer({ id: `130000000000000010${i}`, username: name })).id,
      ),
    );
    const [ada, bob, cy] = ids as [string, string, string];
    const [pa, pb, pc] = ids.map((id) => player(s, id, host.issueToken(id))) as [MatchPlayer, MatchPlayer, MatchPlayer];
    await Promise.all([pa.identify(), pb.identify(), pc.identify()]);
    const lobby = await host.createChannel({ name: 'lobby', type: 'voice' });
    const party = await host.createParty({ leaderId: ada, joinMode: 'invite' });
    await party.join(bob, { token: party.createJoinToken({ userId: bob }) });
    // Bob's client hears of the overwrite that lets him in.
    await pb.waitFor(
      'CHANNEL_UPDATE',
      (d) => d.id === party.id && d.permission_overwrites.some((o: Json) => o.id === bob),
    );

    pb.send(4, { guild_id: host.guildId, channel_id: party.id, self_mute: false, self_deaf: false });
    await pa.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === bob && d.channel_id === party.id);
    // Cy is refused (ignored, as Discord does); his next, allowed, join shows the refusal was not just slow.
    pc.send(4, { guild_id: host.guildId, channel_id: party.id, self_mute: false, self_deaf: false });
    pc.send(4, { guild_id: host.guildId, channel_id: lobby.id, self_mute: false, self_deaf: false });
    await pa.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === cy && d.channel_id === lobby.id);
    expect(
      pa.events.some((e) => e.t === 'VOICE_STATE_UPDATE' && e.d.user_id === cy && e.d.channel_id === party.id),
    ).toBe(false);

    await party.leave(bob);
    await pa.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === bob && d.channel_id === null);
    await party.end();
    await pa.waitFor('CHANNEL_DELETE', (d) => d.id === party.id);
  });
});
