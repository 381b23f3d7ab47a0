import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { Audibility, UNITY } from '../src/spatial/Audibility.js';
import { waitFor } from './helpers.js';

const at = (userId: string, x: number, y = 0, room = 'r') => ({ userId, room, position: { x, y } });

describe('Audibility', () => {
  it('a plain room: everyone hears everyone at full level', () => {
    const a = new Audibility();
    expect(a.filters(at('s', 0))).toBe(false);
    expect(a.hear(at('s', 0), at('l', 1e6))).toBe(UNITY);
  });

  it('a block list silences that speaker for that listener only, in every room and over any other rule', () => {
    const a = new Audibility();
    a.setBlocked('victim', ['troll']);
    expect(a.filters(at('anyone', 0))).toBe(true);
    expect(a.hear(at('troll', 0), at('victim', 1))).toBe('blocked');
    expect(a.hear(at('troll', 0), at('other', 1))).toBe(UNITY);
    expect(a.hear(at('victim', 0), at('troll', 1))).toBe(UNITY);
    a.setWhisper('troll', ['victim']);
    expect(a.hear(at('troll', 0), at('victim', 1))).toBe('blocked');
    a.setBlocked('victim', []);
    expect(a.hear(at('troll', 0), at('victim', 1))).toBe(UNITY);
    expect(a.blocked('victim').size).toBe(0);
  });

  it('a whisper reaches only the addressed listeners, at full level, whatever the distance', () => {
    const a = new Audibility();
    a.setPositional('r', { range: 10 });
    a.setWhisper('s', ['far']);
    expect(a.hear(at('s', 0), at('far', 500))).toBe(UNITY);
    expect(a.hear(at('s', 0), at('near', 1))).toBe('notAddressed');
    a.setWhisper('s', null);
    expect(a.hear(at('s', 0), at('far', 500))).toBe('outOfRange');
    expect(a.hear(at('s', 0), at('near', 1))).not.toBeTypeOf('string');
  });

  it("teams: 'radio' hears teammates anywhere and others by distance; 'only' never hears the other team", () => {
    const a = new Audibility();
    a.setTeam('red1', 'red');
    a.setTeam('red2', 'red');
    a.setTeam('blue1', 'blue');
    a.setPositional('r', { range: 10, teams: 'radio' });
    expect(a.hear(at('red1', 0), at('red2', 900))).toBe(UNITY);
    expect(a.hear(at('red1', 0), at('blue1', 900))).toBe('outOfRange');
    expect(a.hear(at('red1', 0), at('blue1', 5))).not.toBeTypeOf('string');
    a.setPositional('r', { range: 10, teams: 'only' });
    expect(a.hear(at('red1', 0), at('blue1', 5))).toBe('outOfRange');
    expect(a.hear(at('red1', 0), at('red2', 5))).not.toBeTypeOf('string');
    expect(a.hear(at('red1', 0), at('red2', 900))).toBe('outOfRange');
    // No team is no teammate.
    expect(a.hear(at('loner', 0), at('red1', 5))).toBe('outOfRange');
    expect(() => a.setPositional('r', { range: 10, teams: 'all' as never })).toThrow(RangeError);
  });

  it('property: a blocked speaker is never heard; an unblocked one is heard exactly as without any block list', () => {
    const user = fc.constantFrom('a', 'b', 'c', 'd');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(user, fc.array(user)), { maxLength: 6 }),
        fc.option(fc.tuple(user, fc.array(user)), { nil: undefined }),
        fc.constantFrom<'ignore' | 'radio' | 'only'>('ignore', 'radio', 'only'),
        user,
        user,
        fc.double({ min: -30, max: 30, noNaN: true }),
        (blocks, whisper, teams, s, l, x) => {
          const rules = (withBlocks: boolean) => {
            const a = new Audibility();
            a.setPositional('r', { range: 10, teams });
            a.setTeam('a', 'red');
            a.setTeam('b', 'red');
            a.setTeam('c', 'blue');
            if (whisper) a.setWhisper(whisper[0], whisper[1]);
            if (withBlocks) for (const [listener, speakers] of blocks) a.setBlocked(listener, speakers);
            return a;
          };
          const heard = rules(true).hear(at(s, 0), at(l, x));
          const blocked = new Map(blocks).get(l)?.includes(s) === true;
          if (blocked) expect(heard).toBe('blocked');
          else expect(heard).toEqual(rules(false).hear(at(s, 0), at(l, x)));
        },
      ),
    );
  });
});

describe('game voice through the SFU', () => {
  let server: VoiceServer;
  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 5_000 });
  });
  afterAll(async () => {
    await server.close();
  });

  const join = async (channelId: string, userId: string) => {
    const { token, endpoint } = server.allocate({ guildId: 'g', channelId, userId, sessionId: userId });
    const client = new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', rtcpInterval: 0 });
    await client.connect();
    const got: number[] = [];
    client.on('packet', (p) => got.push(p.opus[1]!));
    return { client, got };
  };

  it('blocks, whispers and team radio decide who gets each packet; each refusal is counted', async () => {
    server.setPositional('g', 'map', { range: 20, teams: 'radio' });
    type Joined = Awaited<ReturnType<typeof join>>;
    const [red1, red2, blue1, blue2] = (await Promise.all(
      ['red1', 'red2', 'blue1', 'blue2'].map((u) => join('map', `gv-${u}`)),
    )) as [Joined, Joined, Joined, Joined];
    server.setTeam('gv-red1', 'red');
    server.setTeam('gv-red2', 'red');
    server.setTeam('gv-blue1', 'blue');
    server.setTeam('gv-blue2', 'blue');
    server.setPositions('g', 'map', [
      ['gv-red1', { x: 0, y: 0 }],
      ['gv-red2', { x: 500, y: 0 }],
      ['gv-blue1', { x: 5, y: 0 }],
      ['gv-blue2', { x: 900, y: 0 }],
      ['not-in-the-call', { x: 1, y: 1 }],
    ]);
    const before = { ...server.stats.dropped };
    // red1 speaks: red2 (team radio, 500 away) and blue1 (5 away) hear it; blue2 (900 away, other team) does not.
    red1.client.sendOpus(Buffer.from([0xfc, 1]));
    await waitFor(() => red2.got.includes(1) && blue1.got.includes(1), 5000, 'radio and proximity');
    expect(server.stats.dropped.outOfRange - before.outOfRange).toBe(1);
    // blue1 blocks red1: the next frame reaches red2 only.
    server.setBlocked('gv-blue1', ['gv-red1']);
    red1.client.sendOpus(Buffer.from([0xfc, 2]));
    await waitFor(() => red2.got.includes(2), 5000, 'red2 after the block');
    expect(server.stats.dropped.blocked - before.blocked).toBe(1);
    // red1 whispers to blue2, 900 away: only blue2 gets it.
    server.setWhisper('gv-red1', ['gv-blue2']);
    red1.client.sendOpus(Buffer.from([0xfc, 3]));
    await waitFor(() => blue2.got.includes(3), 5000, 'the whisper');
    expect(server.stats.dropped.notAddressed - before.notAddressed).toBe(1);
    // blue1 still hears nothing from red1 (the block holds over the whisper's end), red2 hears again.
    server.setWhisper('gv-red1', null);
    red1.client.sendOpus(Buffer.from([0xfc, 4]));
    await waitFor(() => red2.got.includes(4), 5000, 'after the whisper');
    expect(blue1.got).toEqual([1]);
    expect(red2.got).toEqual([1, 2, 4]);
    expect(blue2.got).toEqual([3]);
    for (const c of [red1, red2, blue1, blue2]) c.client.disconnect();
  });
});
