// Issue #20's proof, scripted: a game server creates a 10-player party; the players connect with the tokens it
// issued and join with join tokens; they talk in proximity voice while the game server moves them (a listener out of
// range receives nothing from that speaker); one blocks another (no audio either way, no DMs); the game server mutes
// one, who cannot unmute (and whose client, still sending, is not heard); the match ends and the party is gone.
// Everything on loopback, through the same wire a player's client and a game backend use.
import { afterAll, describe, expect, it } from 'vitest';
import { MatchPlayer, startMatchStack } from './matchHarness.js';

const settle = () => new Promise((r) => setTimeout(r, 150));
const step = (what: string) => process.env.MATCH_DEBUG && console.log(`${new Date().toISOString()} ${what}`);

describe('a scripted 10-player match', () => {
  let stack: Awaited<ReturnType<typeof startMatchStack>>;
  afterAll(async () => {
    await stack?.close();
  });

  it('runs from party creation to cleanup with every rule the game server set', { timeout: 60_000 }, async () => {
    stack = await startMatchStack();
    const { call, host, url, players } = stack;
    const guild = host.guildId;

    step('The game backend registers');
    // The game backend registers ten players and issues their tokens.
    const ids = Array.from({ length: 10 }, (_, i) => String(1300000000000000100n + BigInt(i)));
    for (const [i, id] of ids.entries())
      expect((await call('POST', '/games/v1/players', { id, username: `p${i}` })).status).toBe(201);
    for (const id of ids) {
      const { body } = await call('POST', `/games/v1/players/${id}/tokens`, { ttlMs: 600_000 });
      players.push(new MatchPlayer(url, id, body.token));
    }
    await Promise.all(players.map((p) => p.identify()));
    const [p0, p1, p2, p3, ...rest] = players as [MatchPlayer, MatchPlayer, MatchPlayer, MatchPlayer, ...MatchPlayer[]];

    step('A 10-player party');
    // A 10-player party, invite-only; the other nine join with their own join tokens through the player route.
    const party = (
      await call('POST', '/games/v1/parties', {
        leaderId: p0.userId,
        capacity: 10,
        joinMode: 'invite',
        matchId: 'match-1',
      })
    ).body;
    for (const p of players.slice(1)) {
      const { body } = await call('POST', `/games/v1/parties/${party.id}/join-tokens`, { userId: p.userId });
      const joined = await call(
        'POST',
        `/games/v1/parties/${party.id}/join`,
        { token: body.token },
        `Bearer ${p.token}`,
      );
      expect(joined.status).toBe(200);
    }
    expect((await call('GET', `/games/v1/parties/${party.id}`)).body.members).toHaveLength(10);
    // A stranger's join token cannot add an eleventh.
    expect((await call('POST', `/games/v1/parties/${party.id}/join`, {}, `Bearer ${p0.token}`)).status).toBe(200);

    step('Proximity voice');
    // Proximity voice: range 20 on the party's channel; the game server places everyone (one tick).
    expect((await call('PUT', `/games/v1/voice/channels/${party.id}/positional`, { range: 20 })).status).toBe(204);
    for (const p of players) {
      step(`voice ${p.userId}`);
      await p.joinVoice(guild, party.id);
    }
    const tick = (positions: [MatchPlayer, number][]) =>
      call('PUT', `/games/v1/voice/channels/${party.id}/positions`, {
        positions: positions.map(([p, x]) => [p.userId, { x, y: 0 }]),
      });
    step('p0..p4 stand');
    // p0..p4 stand together at x 0..8; p5..p9 far away at x 500.. .
    expect((await tick(players.map((p, i) => [p, i < 5 ? i * 2 : 500 + i]))).status).toBe(204);
    p0.say(1);
    await waitFor(() => [p1, p2, p3].every((p) => p.heardFrom(p0).includes(1)), 'the near players hear p0');
    await settle();
    for (const far of rest.slice(1)) expect(far.heardFrom(p0), far.userId).toEqual([]);

    step('Positions move');
    // Positions move: p9 walks up to p0, p1 walks away.
    const p9 = players[9]!;
    await tick([
      [p9, 1],
      [p1, 300],
    ]);
    p0.say(2);
    await waitFor(() => p9.heardFrom(p0).includes(2), 'p9 hears p0 after walking up');
    await settle();
    expect(p1.heardFrom(p0)).not.toContain(2);
    await tick([[p1, 2]]);

    step('p1 blocks p2');
    // p1 blocks p2: neither hears the other, and their DMs are refused; the others still hear p2.
    expect((await call('PUT', `/games/v1/players/${p1.userId}/blocks/${p2.userId}`)).status).toBe(204);
    p2.say(3);
    p1.say(4);
    await waitFor(() => p0.heardFrom(p2).includes(3) && p0.heardFrom(p1).includes(4), 'p0 hears both');
    await settle();
    expect(p1.heardFrom(p2)).not.toContain(3);
    expect(p2.heardFrom(p1)).not.toContain(4);
    const dm = await fetch(`${url}/api/v10/users/@me/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p2.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ recipient_id: p1.userId }),
    }).then((r) => r.json());
    const refused = await fetch(`${url}/api/v10/channels/${dm.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p2.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'hey' }),
    });
    expect(refused.status).toBe(403);
    expect((await refused.json()).code).toBe(50007);

    step('The game server mutes p3');
    // The game server mutes p3: p3's client keeps sending, nobody hears it, and p3 cannot lift the mute.
    expect(
      (await call('PATCH', `/games/v1/players/${p3.userId}/voice`, { mute: true, reason: 'mic spam' })).status,
    ).toBe(204);
    await p0.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === p3.userId && d.mute === true);
    p3.say(5);
    p0.say(6);
    await waitFor(() => p3.heardFrom(p0).includes(6), 'p3 still hears');
    await settle();
    expect(p0.heardFrom(p3)).not.toContain(5);
    const unmute = await fetch(`${url}/api/v10/guilds/${guild}/members/${p3.userId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${p3.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mute: false }),
    });
    expect(unmute.status).toBe(403);

    step('The match ends');
    // The match ends: the party's channel is deleted, everyone's voice is disconnected, the party is gone.
    expect((await call('POST', '/games/v1/matches/match-1/end')).body).toEqual({ ended: 1 });
    await p0.waitFor('CHANNEL_DELETE', (d) => d.id === party.id);
    for (const p of players)
      await p0.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === p.userId && d.channel_id === null);
    expect((await call('GET', `/games/v1/parties/${party.id}`)).status).toBe(404);
    expect(host.parties()).toEqual([]);
    // Every action of the game server is in the audit log, as its service user.
    const log = (await call('GET', '/games/v1/audit-log?limit=100')).body as { user_id: string; reason?: string }[];
    expect(log.every((e) => e.user_id === host.serviceUserId)).toBe(true);
    expect(log.map((e) => e.reason)).toContain('mic spam');
  });
});

async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
