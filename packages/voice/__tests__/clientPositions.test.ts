import { VoiceCloseCode, VoiceOpcode } from '@concord/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { Refusal } from '../src/server/payloads.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { CLIENT_POSITION_OP, MAX_COORDINATE, MAX_YAW, parseClientPosition } from '../src/spatial/clientPosition.js';
import { RawVoiceSocket, waitFor } from './helpers.js';

describe('parseClientPosition', () => {
  it('takes finite, bounded axes and refuses everything else with 4002', () => {
    expect(parseClientPosition({ x: 1, y: -2 })).toEqual({ x: 1, y: -2 });
    expect(parseClientPosition({ x: 1, y: 2, z: 3, yaw: 0.5, extra: 'ignored' })).toEqual({
      x: 1,
      y: 2,
      z: 3,
      yaw: 0.5,
    });
    expect(parseClientPosition({ x: 1, y: 2, z: null })).toEqual({ x: 1, y: 2 });
    for (const bad of [null, [], 'x', 3, { x: 1 }, { x: '1', y: 2 }, { x: 1, y: 2e9 }, { x: 1, y: 2, yaw: 101 }]) {
      const refused = parseClientPosition(bad);
      expect(refused).toBeInstanceOf(Refusal);
      expect((refused as Refusal).code).toBe(VoiceCloseCode.DecodeFailure);
    }
  });

  it('never throws, and what it accepts is finite and within bounds (any JSON value)', () => {
    const started = performance.now();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }),
          fc.record(
            { x: fc.double(), y: fc.double(), z: fc.option(fc.double()), yaw: fc.option(fc.double()) },
            { requiredKeys: ['x', 'y'] },
          ),
        ),
        (value) => {
          const parsed = parseClientPosition(value);
          if (parsed instanceof Refusal) return;
          for (const axis of [parsed.x, parsed.y, parsed.z ?? 0]) {
            expect(Number.isFinite(axis) && Math.abs(axis) <= MAX_COORDINATE).toBe(true);
          }
          expect(Math.abs(parsed.yaw ?? 0)).toBeLessThanOrEqual(MAX_YAW);
          expect(Object.keys(parsed).every((k) => ['x', 'y', 'z', 'yaw'].includes(k))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
    // A budget on the whole run, not a timing claim: the parser reads at most four fields of what it is given.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('client positions (trusted mode) through the SFU', () => {
  let server: VoiceServer;
  let url: string;
  beforeAll(async () => {
    server = await createVoiceServer({ heartbeatInterval: 5_000 });
    url = `ws://127.0.0.1:${server.address().port}`;
  });
  afterAll(async () => {
    await server.close();
  });

  const join = async (channelId: string, userId: string) => {
    const { token, endpoint } = server.allocate({ guildId: 'g', channelId, userId, sessionId: userId });
    const client = new VoiceClient({ endpoint, token, sessionId: userId, userId, guildId: 'g', rtcpInterval: 0 });
    await client.connect();
    const got: Buffer[] = [];
    client.on('packet', (p) => got.push(p.opus));
    return { client, got };
  };
  const positionOf = (channelId: string, userId: string) =>
    [...(server.room('g', channelId)?.members ?? [])].find((m) => m.userId === userId)?.media.position ?? null;

  it('moves members by what they send, and listeners out of range receive nothing', async () => {
    server.setPositional('g', 'trusted', { range: 10, positionSource: 'client' });
    const speaker = await join('trusted', 'tp-speaker');
    const listener = await join('trusted', 'tp-listener');
    speaker.client.sendPosition({ x: 0, y: 0 });
    listener.client.sendPosition({ x: 50, y: 0, yaw: 1 });
    await waitFor(() => positionOf('trusted', 'tp-listener')?.x === 50, 3000, 'listener placed');
    await waitFor(() => positionOf('trusted', 'tp-speaker') !== null, 3000, 'speaker placed');
    const dropped = server.stats.dropped.outOfRange;
    for (let i = 0; i < 3; i++) speaker.client.sendOpus(Buffer.from([0xfc, i]));
    await waitFor(() => server.stats.dropped.outOfRange - dropped === 3, 3000, 'out of range drops');
    expect(listener.got).toEqual([]);
    // The listener walks into range itself.
    listener.client.sendPosition({ x: 6, y: 8 });
    await waitFor(() => positionOf('trusted', 'tp-listener')?.x === 6, 3000, 'listener moved');
    speaker.client.sendOpus(Buffer.from([0xfc, 7]));
    await waitFor(() => listener.got.length === 1, 3000, 'heard in range');
    expect(listener.got[0]).toEqual(Buffer.from([0xfc, 7]));
    // And out again: nothing more arrives (the drop counter says the packet was decided, not lost in flight).
    listener.client.sendPosition({ x: 11, y: 0 });
    await waitFor(() => positionOf('trusted', 'tp-listener')?.x === 11, 3000, 'listener left');
    const before = server.stats.dropped.outOfRange;
    speaker.client.sendOpus(Buffer.from([0xfc, 8]));
    await waitFor(() => server.stats.dropped.outOfRange - before === 1, 3000, 'dropped again');
    expect(listener.got).toHaveLength(1);
    speaker.client.disconnect();
    listener.client.disconnect();
  });

  it('ignores client positions where the game server owns them, and the game server may still move anyone', async () => {
    server.setPositional('g', 'authoritative', { range: 10 });
    const member = await join('authoritative', 'ap-member');
    server.setPosition('ap-member', { x: 100, y: 0 });
    member.client.sendPosition({ x: 0, y: 0 });
    // A later command on the same socket is handled after the position: once it is answered, the position was seen.
    const speaking = new Promise((resolve) => server.once('speaking', resolve));
    member.client.sendOpus(Buffer.from([0xfc, 0]));
    await speaking;
    expect(positionOf('authoritative', 'ap-member')).toEqual({ x: 100, y: 0 });
    server.setPositional('g', 'teleport', { range: 10, positionSource: 'client' });
    const other = await join('teleport', 'ap-teleported');
    other.client.sendPosition({ x: 1, y: 1 });
    await waitFor(() => positionOf('teleport', 'ap-teleported')?.x === 1, 3000, 'client position');
    server.setPositions('g', 'teleport', [['ap-teleported', { x: -5, y: 3 }]]);
    expect(positionOf('teleport', 'ap-teleported')).toEqual({ x: -5, y: 3 });
    member.client.disconnect();
    other.client.disconnect();
  });

  it('keeps positions out of the command budget, drops those above the rate, and closes a flood with 4021', async () => {
    const strict = await createVoiceServer({ heartbeatInterval: 5_000, rateLimit: { commands: 5, windowMs: 60_000 } });
    try {
      strict.setPositional('g', 'rated', { range: 10, positionSource: 'client', clientPositionRate: 20 });
      const open = async (userId: string) => {
        const { token } = strict.allocate({ guildId: 'g', channelId: 'rated', userId, sessionId: userId });
        const socket = await RawVoiceSocket.open(`ws://127.0.0.1:${strict.address().port}/?v=8`);
        await socket.next(VoiceOpcode.Hello);
        socket.send(VoiceOpcode.Identify, { server_id: 'g', user_id: userId, session_id: userId, token });
        await socket.next(VoiceOpcode.Ready);
        return socket;
      };
      const where = (userId: string) =>
        [...(strict.room('g', 'rated')?.members ?? [])].find((m) => m.userId === userId)?.media.position;
      // 30 positions at once: far past the 5-command budget, not a close; the 21st on in this second are dropped.
      const steady = await open('rate-steady');
      for (let i = 1; i <= 30; i++) steady.send(CLIENT_POSITION_OP, { x: i, y: 0 });
      steady.send(VoiceOpcode.Heartbeat, { t: 1, seq_ack: -1 });
      await steady.next(VoiceOpcode.HeartbeatAck);
      expect(steady.closeCode).toBeNull();
      expect(where('rate-steady')).toEqual({ x: 20, y: 0 });
      // Ten times the rate within a second is a flood.
      const flood = await open('rate-flood');
      for (let i = 0; i < 201; i++) flood.send(CLIENT_POSITION_OP, { x: i, y: 0 });
      expect(await flood.closed()).toBe(VoiceCloseCode.RateLimited);
      steady.close();
    } finally {
      await strict.close();
    }
  });

  it('closes with 4002 on a malformed position and 4003 before Identify', async () => {
    server.setPositional('g', 'malformed', { range: 10, positionSource: 'client' });
    const { token } = server.allocate({ guildId: 'g', channelId: 'malformed', userId: 'mp', sessionId: 'mp' });
    const socket = await RawVoiceSocket.open(`${url}/?v=8`);
    await socket.next(VoiceOpcode.Hello);
    socket.send(VoiceOpcode.Identify, { server_id: 'g', user_id: 'mp', session_id: 'mp', token });
    await socket.next(VoiceOpcode.Ready);
    socket.send(CLIENT_POSITION_OP, { x: 'near', y: 0 });
    expect(await socket.closed()).toBe(VoiceCloseCode.DecodeFailure);
    const early = await RawVoiceSocket.open(`${url}/?v=8`);
    await early.next(VoiceOpcode.Hello);
    early.send(CLIENT_POSITION_OP, { x: 0, y: 0 });
    expect(await early.closed()).toBe(VoiceCloseCode.NotAuthenticated);
  });

  it('refuses bad trusted-mode settings', () => {
    expect(() => server.setPositional('g', 'x', { range: 1, positionSource: 'peer' as 'client' })).toThrow(RangeError);
    expect(() => server.setPositional('g', 'x', { range: 1, clientPositionRate: 0 })).toThrow(RangeError);
    expect(() => server.setPositional('g', 'x', { range: 1, clientPositionRate: 1.5 })).toThrow(RangeError);
  });
});
