import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type GameVoice, gameApi, TextSafety } from '../src/index.js';
import { createGame, GAME_GUILD } from './gameHarness.js';

const SERVICE = 'service-token-of-the-game-backend-0123456789';
const auth = { authorization: `Service ${SERVICE}` };
let app: FastifyInstance | null = null;

afterEach(async () => {
  await app?.close();
  app = null;
});

/** A voice stand-in that records what the routes asked of it. */
function recordingVoice() {
  const calls: unknown[][] = [];
  const voice: GameVoice = {
    setPositional: (...a) => void calls.push(['positional', ...a]),
    setPositions: (g, c, p) => void calls.push(['positions', g, c, [...p]]),
    setTeam: (...a) => void calls.push(['team', ...a]),
    setWhisper: (u, to) => void calls.push(['whisper', u, to ? [...to] : null]),
    setBlocked: (u, ids) => void calls.push(['blocked', u, ids ? [...ids] : null]),
    recordEvidence: (...a) => void calls.push(['evidence', ...a]),
  };
  return { voice, calls };
}

async function start(options: { voice?: GameVoice; players?: number } = {}) {
  const game = await createGame(options.players ?? 0, { textSafety: new TextSafety({ rateLimit: false }) });
  app = Fastify();
  await app.register(gameApi, {
    host: game.host,
    serviceTokens: [SERVICE],
    ...(options.voice ? { voice: options.voice } : {}),
    prefix: '/games/v1',
  });
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = auth) => {
    const res = await app!.inject({
      method: method as 'GET',
      url: `/games/v1${url}`,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
  };
  return { ...game, call };
}

describe('the game API', () => {
  it('service routes need a service token; player routes a player token', async () => {
    const { call } = await start();
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Service wrong-token-wrong-token-wrong-token-xx' },
      { authorization: `Bot ${SERVICE}` },
    ];
    for (const headers of refused) {
      expect(await call('POST', '/players', { id: '1300000000000000100', username: 'ada' }, headers)).toMatchObject({
        status: 401,
        body: { code: 'UNAUTHORIZED' },
      });
    }
    expect((await call('POST', '/parties/1/join', {}, { authorization: 'Bearer nope' })).status).toBe(401);
    // A service token short enough to guess is refused when the plugin starts.
    const weak = Fastify();
    weak.register(gameApi, { host: {} as never, serviceTokens: ['short'] });
    await expect(weak.ready()).rejects.toThrow(RangeError);
  });

  it('a backend runs a match: players, tokens, a party filled by join tokens, moderation, the end', async () => {
    const { call, community } = await start();
    const [ada, bob, cy] = ['1300000000000000100', '1300000000000000101', '1300000000000000102'];
    for (const [id, username] of [
      [ada, 'ada'],
      [bob, 'bob'],
      [cy, 'cy'],
    ]) {
      expect(await call('POST', '/players', { id, username })).toMatchObject({ status: 201, body: { id, username } });
    }
    const issued = await call('POST', `/players/${bob}/tokens`, { ttlMs: 60_000 });
    expect(issued.status).toBe(200);
    expect(issued.body.expiresAt).toBeGreaterThan(Date.now());
    const party = await call('POST', '/parties', { leaderId: ada, capacity: 2, joinMode: 'invite', matchId: 'm1' });
    expect(party).toMatchObject({ status: 201, body: { leaderId: ada, members: [ada], capacity: 2 } });
    const id = party.body.id;
    const join = await call('POST', `/parties/${id}/join-tokens`, { userId: bob });
    const asBob = { authorization: `Bearer ${issued.body.token}` };
    expect(await call('POST', `/parties/${id}/join`, {}, asBob)).toMatchObject({
      status: 401,
      body: { code: 'JOIN_TOKEN_REQUIRED' },
    });
    expect(await call('POST', `/parties/${id}/join`, { token: join.body.token }, asBob)).toMatchObject({
      status: 200,
      body: { members: [ada, bob] },
    });
    expect(await call('PUT', `/parties/${id}/members/${cy}`)).toMatchObject({
      status: 409,
      body: { code: 'PARTY_FULL' },
    });
    expect(await call('PATCH', `/parties/${id}`, { leaderId: bob, joinMode: 'closed' })).toMatchObject({
      body: { leaderId: bob, joinMode: 'closed' },
    });
    expect((await call('PATCH', `/players/${cy}/voice`, { mute: true, reason: 'mic spam' })).status).toBe(204);
    expect(
      (await call('PUT', `/players/${cy}/timeout`, { until: new Date(Date.now() + 60_000).toISOString() })).status,
    ).toBe(204);
    expect((await call('POST', `/players/${cy}/kick`, { reason: 'afk' })).status).toBe(204);
    // The community's refusal, with Discord's code: cy is no longer a member.
    expect(await call('POST', `/players/${cy}/kick`, {})).toMatchObject({ status: 404, body: { code: 10007 } });
    expect((await call('PUT', `/bans/${cy}`, { deleteMessageSeconds: 0, reason: 'cheating' })).status).toBe(204);
    const log = await call('GET', '/audit-log?limit=5');
    expect(log.body.map((e: { reason?: string }) => e.reason)).toContain('cheating');
    expect(await call('POST', '/matches/m1/end')).toMatchObject({ status: 200, body: { ended: 1 } });
    expect(await call('GET', `/parties/${id}`)).toMatchObject({ status: 404, body: { code: 'UNKNOWN_PARTY' } });
    expect(await community.directory.members(GAME_GUILD, { limit: 0, userIds: [cy] })).toEqual([]);
  });

  it('voice routes drive the voice server; without one they answer 501', async () => {
    const { voice, calls } = recordingVoice();
    const { call } = await start({ voice });
    const channel = '1300000000000000900';
    expect((await call('PUT', `/voice/channels/${channel}/positional`, { range: 40, teams: 'radio' })).status).toBe(
      204,
    );
    expect(
      (
        await call('PUT', `/voice/channels/${channel}/positions`, {
          positions: [
            ['1300000000000000100', { x: 1, y: 2 }],
            ['1300000000000000101', null],
          ],
        })
      ).status,
    ).toBe(204);
    expect((await call('PUT', '/voice/players/1300000000000000100/team', { team: 'red' })).status).toBe(204);
    expect(
      (await call('PUT', '/voice/players/1300000000000000100/whisper', { to: ['1300000000000000101'] })).status,
    ).toBe(204);
    expect(
      (await call('PUT', '/voice/players/1300000000000000100/blocked', { blocked: ['1300000000000000102'] })).status,
    ).toBe(204);
    expect((await call('PUT', `/voice/channels/${channel}/evidence`, { seconds: 30 })).status).toBe(204);
    const trusted = { range: 40, positionSource: 'client', clientPositionRate: 30 };
    expect((await call('PUT', `/voice/channels/${channel}/positional`, trusted)).status).toBe(204);
    const tooFast = { range: 40, positionSource: 'client', clientPositionRate: 500 };
    expect((await call('PUT', `/voice/channels/${channel}/positional`, tooFast)).status).toBe(400);
    expect(calls).toEqual([
      ['positional', GAME_GUILD, channel, { range: 40, teams: 'radio' }],
      [
        'positions',
        GAME_GUILD,
        channel,
        [
          ['1300000000000000100', { x: 1, y: 2 }],
          ['1300000000000000101', null],
        ],
      ],
      ['team', '1300000000000000100', 'red'],
      ['whisper', '1300000000000000100', ['1300000000000000101']],
      ['blocked', '1300000000000000100', ['1300000000000000102']],
      ['evidence', GAME_GUILD, channel, 30],
      ['positional', GAME_GUILD, channel, trusted],
    ]);
    await app!.close();
    const without = await start();
    expect(await without.call('PUT', '/voice/players/1300000000000000100/team', { team: 'red' })).toMatchObject({
      status: 501,
      body: { code: 'NO_VOICE' },
    });
  });

  it('player blocks: Discord relationships (DMs refused both ways) and the voice server’s lists, both ways', async () => {
    const { voice, calls } = recordingVoice();
    const { call, community, players } = await start({ voice, players: 2 });
    const [a, b] = players as [string, string];
    expect((await call('PUT', `/players/${a}/blocks/${b}`)).status).toBe(204);
    expect(calls).toEqual([
      ['blocked', a, [b]],
      ['blocked', b, [a]],
    ]);
    expect((await call('GET', `/players/${a}/blocks`)).body).toMatchObject([{ id: b, type: 2 }]);
    const dm = await community.dms.open(b, { recipient_id: a });
    await expect(community.messages.create(b, dm.id, { content: 'hi' })).rejects.toMatchObject({ code: 50007 });
    expect((await call('DELETE', `/players/${a}/blocks/${b}`)).status).toBe(204);
    expect(calls.slice(2)).toEqual([
      ['blocked', a, []],
      ['blocked', b, []],
    ]);
    await community.messages.create(b, dm.id, { content: 'hi again' });
  });

  it('reports: a player files one with their token; moderators list and resolve them', async () => {
    const { call, host, players } = await start({ players: 2 });
    const [a, b] = players as [string, string];
    const asA = { authorization: `Bearer ${host.issueToken(a)}` };
    expect(await call('POST', '/reports', { targetId: a, reason: 'me' }, asA)).toMatchObject({
      status: 400,
      body: { code: 'SELF_REPORT' },
    });
    const filed = await call('POST', '/reports', { targetId: b, reason: 'cheating' }, asA);
    expect(filed).toMatchObject({ status: 201, body: { status: 'open' } });
    expect((await call('GET', '/reports', undefined, asA)).status).toBe(401);
    const list = await call('GET', `/reports?targetId=${b}`);
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([filed.body.id]);
    expect(await call('POST', `/reports/${filed.body.id}/resolve`, { by: 'mod', outcome: 'warned' })).toMatchObject({
      body: { status: 'resolved', resolution: { by: 'mod', outcome: 'warned' } },
    });
    expect((await call('POST', '/reports/99/resolve', { by: 'mod', outcome: 'x' })).status).toBe(404);
  });

  it('hostile bodies are 400s, never 500s, and change nothing', async () => {
    const { call, host } = await start({ players: 1 });
    expect(await call('POST', '/players', { id: 'not-a-snowflake', username: 'x' })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_BODY' },
    });
    // Fastify's default: properties a schema does not know are dropped before the handler runs.
    const extra = await call('POST', '/players', { id: '1300000000000000200', username: 'x', bot: true });
    expect(extra).toMatchObject({ status: 201, body: { bot: false } });
    expect((await call('POST', '/parties', { leaderId: '1300000000000000100', capacity: 100 })).status).toBe(400);
    const routes: [string, string][] = [
      ['POST', '/players'],
      ['POST', '/parties'],
      ['PATCH', '/players/1300000000000000100/voice'],
      ['PUT', '/players/1300000000000000100/timeout'],
      ['POST', '/channels'],
      ['POST', '/players/1300000000000000100/tokens'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.jsonValue({ maxDepth: 3 }), async ([method, url], body) => {
        const { status } = await call(method, url, body);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect(host.parties().length).toBeLessThanOrEqual(150);
  });
});
