// Go Live on the main gateway (docs/protocol.md "Go Live"): ops 18/19/20/21/22, the STREAM_* dispatches to the right
// sessions, permissions, cleanup when the streamer or a viewer goes, and hostile payloads closing with 4002.
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryDirectory } from '../src/Directory.js';
import type { GatewayServer } from '../src/GatewayServer.js';
import type { GatewayServerOptions } from '../src/GatewayServerOptions.js';
import type {
  StreamAllocationRequest,
  StreamReleaseRequest,
  VoiceAllocationRequest,
  VoiceAllocator,
} from '../src/ports/VoiceAllocator.js';
import { connect, delay, GUILD_A, GUILD_B, guild, type Payload, startServer, type TestClient } from './helpers.js';

const VIEW_CHANNEL = 1n << 10n;
const CONNECT = 1n << 20n;
const SPEAK = 1n << 21n;
const STREAM = 1n << 9n;

const VOICE = `${GUILD_A}2`;
const OTHER_VOICE = `${GUILD_A}3`;
const NO_STREAM = `${GUILD_A}4`;
const keyOf = (userId: string, channelId = VOICE) => `guild:${GUILD_A}:${channelId}:${userId}`;

function streamDirectory(): InMemoryDirectory {
  const directory = new InMemoryDirectory();
  directory.addGuild(
    guild(GUILD_A, ['1', '2', '3', '4'], {
      channels: [
        { id: `${GUILD_A}1`, type: 0, name: 'general' },
        { id: VOICE, type: 2, name: 'voice' },
        { id: OTHER_VOICE, type: 2, name: 'other voice' },
        {
          id: NO_STREAM,
          type: 2,
          name: 'no streams',
          permission_overwrites: [{ id: GUILD_A, type: 0, allow: '0', deny: String(STREAM) }],
        },
      ],
      roles: [
        { id: GUILD_A, name: '@everyone', permissions: String(VIEW_CHANNEL | CONNECT | SPEAK | STREAM), position: 0 },
      ],
    }),
  );
  directory.addGuild(guild(GUILD_B, ['1', '2']));
  return directory;
}

/** An allocator with stream rooms, recording what the gateway asked of it. */
function recordingAllocator() {
  const streams: StreamAllocationRequest[] = [];
  const released: StreamReleaseRequest[] = [];
  const allocator: VoiceAllocator = {
    allocate: ({ channelId, userId }) => ({ endpoint: 'voice.test:443', token: `voice-${channelId}-${userId}` }),
    allocateStream: (request) => {
      streams.push(request);
      return {
        endpoint: 'stream.test:443',
        token: `stream-${request.userId}`,
        rtcServerId: '900000000000000001',
        rtcChannelId: '900000000000000000',
      };
    },
    releaseStream: (request) => void released.push(request),
  };
  return { allocator, streams, released };
}

let server: GatewayServer | null = null;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = null;
});

async function start(options: Partial<GatewayServerOptions> = {}) {
  const recording = recordingAllocator();
  server = await startServer({ directory: streamDirectory(), voiceAllocator: recording.allocator, ...options });
  return recording;
}

async function user(userId: string): Promise<TestClient> {
  const c = await connect(server!);
  clients.push(c);
  await c.ready(userId);
  await c.dispatch('GUILD_CREATE');
  return c;
}

async function inVoice(userId: string, channelId = VOICE, extra: Record<string, unknown> = {}): Promise<TestClient> {
  const c = await user(userId);
  c.send({ op: 4, d: { guild_id: GUILD_A, channel_id: channelId, self_mute: false, self_deaf: false, ...extra } });
  await c.dispatch('VOICE_SERVER_UPDATE');
  return c;
}

const voiceStateOf = (c: TestClient, userId: string, test: (d: Payload['d']) => boolean = () => true) =>
  c.next((p) => p.t === 'VOICE_STATE_UPDATE' && p.d.user_id === userId && test(p.d));
const streamEvent = (c: TestClient, t: string, test: (d: Payload['d']) => boolean = () => true) =>
  c.next((p) => p.op === 0 && p.t === t && test(p.d));

async function goLive(c: TestClient, userId: string, channelId = VOICE) {
  c.send({ op: 18, d: { type: 'guild', guild_id: GUILD_A, channel_id: channelId, preferred_region: null } });
  const create = await c.dispatch('STREAM_CREATE');
  const serverUpdate = await c.dispatch('STREAM_SERVER_UPDATE');
  expect(create.d.stream_key).toBe(keyOf(userId, channelId));
  return { create: create.d, serverUpdate: serverUpdate.d };
}

describe('Go Live: one streamer, two viewers', () => {
  it('op 18 → STREAM_CREATE + STREAM_SERVER_UPDATE, self_stream for the guild; op 20 → the stream for each viewer', async () => {
    const { streams } = await start();
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    const bob = await inVoice('3');
    const { create, serverUpdate } = await goLive(streamer, '1');
    expect(create).toEqual({
      stream_key: keyOf('1'),
      rtc_server_id: '900000000000000001',
      rtc_channel_id: '900000000000000000',
      region: 'concord',
      viewer_ids: [],
      paused: false,
    });
    expect(serverUpdate).toEqual({
      stream_key: keyOf('1'),
      endpoint: 'stream.test:443',
      token: 'stream-1',
      guild_id: null,
    });
    // Everyone in the guild learns that user 1 went live through its voice state.
    const live = await voiceStateOf(alice, '1', (d) => d.self_stream === true);
    expect(live.d.channel_id).toBe(VOICE);
    expect(streams[0]).toMatchObject({ streamKey: keyOf('1'), ownerId: '1', userId: '1', guildId: GUILD_A });

    alice.send({ op: 20, d: { stream_key: keyOf('1') } });
    const aliceCreate = (await alice.dispatch('STREAM_CREATE')).d;
    expect(aliceCreate).toMatchObject({ rtc_server_id: '900000000000000001', viewer_ids: ['2'], paused: false });
    expect((await alice.dispatch('STREAM_SERVER_UPDATE')).d).toMatchObject({ token: 'stream-2', guild_id: null });
    expect((await streamEvent(streamer, 'STREAM_UPDATE')).d.viewer_ids).toEqual(['2']);

    bob.send({ op: 20, d: { stream_key: keyOf('1') } });
    expect((await bob.dispatch('STREAM_CREATE')).d.viewer_ids).toEqual(['2', '3']);
    expect((await bob.dispatch('STREAM_SERVER_UPDATE')).d.token).toBe('stream-3');
    expect((await streamEvent(streamer, 'STREAM_UPDATE')).d.viewer_ids).toEqual(['2', '3']);
    expect((await streamEvent(alice, 'STREAM_UPDATE')).d.viewer_ids).toEqual(['2', '3']);
    expect(streams.map((s) => [s.userId, s.ownerId])).toEqual([
      ['1', '1'],
      ['2', '1'],
      ['3', '1'],
    ]);
    // Nobody outside the stream hears of it beyond the voice state.
    expect(alice.received.some((p) => p.t === 'STREAM_CREATE' && p.d.viewer_ids.includes('3'))).toBe(false);
  });

  it('op 22 pauses for everyone; op 19 from a viewer stops its watch; op 19 from the streamer ends the stream', async () => {
    const { released } = await start();
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    const bob = await inVoice('3');
    await goLive(streamer, '1');
    for (const viewer of [alice, bob]) {
      viewer.send({ op: 20, d: { stream_key: keyOf('1') } });
      await viewer.dispatch('STREAM_SERVER_UPDATE');
    }
    streamer.send({ op: 22, d: { stream_key: keyOf('1'), paused: true } });
    for (const c of [streamer, alice, bob]) {
      expect((await streamEvent(c, 'STREAM_UPDATE', (d) => d.paused === true)).d).toEqual({
        stream_key: keyOf('1'),
        region: 'concord',
        viewer_ids: ['2', '3'],
        paused: true,
      });
    }
    // Only the streamer pauses its stream.
    alice.send({ op: 22, d: { stream_key: keyOf('1'), paused: false } });
    alice.send({ op: 19, d: { stream_key: keyOf('1') } });
    expect((await alice.dispatch('STREAM_DELETE')).d).toEqual({
      stream_key: keyOf('1'),
      reason: 'user_requested',
      unavailable: false,
    });
    const afterAlice = await streamEvent(streamer, 'STREAM_UPDATE', (d) => d.viewer_ids.join() === '3');
    expect(afterAlice.d).toMatchObject({ viewer_ids: ['3'], paused: true });
    expect(released).toEqual([{ streamKey: keyOf('1'), userId: '2' }]);

    streamer.send({ op: 19, d: { stream_key: keyOf('1') } });
    expect((await streamer.dispatch('STREAM_DELETE')).d.reason).toBe('user_requested');
    expect((await bob.dispatch('STREAM_DELETE')).d).toEqual({
      stream_key: keyOf('1'),
      reason: 'stream_ended',
      unavailable: false,
    });
    await voiceStateOf(bob, '1', (d) => d.self_stream === false && d.channel_id === VOICE);
    expect(released.at(-1)).toEqual({ streamKey: keyOf('1') });
    await delay(30);
    expect(alice.received.filter((p) => p.t === 'STREAM_DELETE')).toHaveLength(1);
  });

  it('keeps self_stream through an op 4 in the same channel; op 4 carries self_video', async () => {
    await start();
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    await goLive(streamer, '1');
    await voiceStateOf(alice, '1', (d) => d.self_stream === true);
    streamer.send({
      op: 4,
      d: { guild_id: GUILD_A, channel_id: VOICE, self_mute: true, self_deaf: false, self_video: true },
    });
    const state = await voiceStateOf(alice, '1', (d) => d.self_mute === true);
    expect(state.d).toMatchObject({ self_stream: true, self_video: true, channel_id: VOICE });
  });
});

describe('Go Live: who may stream and watch', () => {
  it('refuses a streamer not in that voice channel, or without STREAM, with STREAM_DELETE unauthorized', async () => {
    const { streams } = await start();
    const outside = await user('1');
    outside.send({ op: 18, d: { type: 'guild', guild_id: GUILD_A, channel_id: VOICE, preferred_region: null } });
    expect((await outside.dispatch('STREAM_DELETE')).d).toEqual({
      stream_key: keyOf('1'),
      reason: 'unauthorized',
      unavailable: false,
    });
    const elsewhere = await inVoice('2', OTHER_VOICE);
    elsewhere.send({ op: 18, d: { type: 'guild', guild_id: GUILD_A, channel_id: VOICE } });
    expect((await elsewhere.dispatch('STREAM_DELETE')).d.reason).toBe('unauthorized');
    const noStream = await inVoice('3', NO_STREAM);
    noStream.send({ op: 18, d: { type: 'guild', guild_id: GUILD_A, channel_id: NO_STREAM } });
    expect((await noStream.dispatch('STREAM_DELETE')).d).toMatchObject({
      stream_key: keyOf('3', NO_STREAM),
      reason: 'unauthorized',
    });
    // A DM call stream has no voice here; a guild the session is not in is ignored, as op 4 does.
    noStream.send({ op: 18, d: { type: 'call', guild_id: null, channel_id: '5' } });
    expect((await noStream.dispatch('STREAM_DELETE')).d).toMatchObject({
      stream_key: 'call:5:3',
      reason: 'invalid_channel',
    });
    const four = await user('4');
    four.send({ op: 18, d: { type: 'guild', guild_id: GUILD_B, channel_id: `${GUILD_B}2` } });
    await delay(50);
    expect(four.received.some((p) => p.t?.startsWith('STREAM_'))).toBe(false);
    expect(streams).toEqual([]);
    for (const c of [outside, elsewhere, noStream, four]) expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it('refuses a watcher outside the channel, an unknown stream, a key that does not parse, and a full stream', async () => {
    await start({ maxStreamViewers: 1 });
    const streamer = await inVoice('1');
    await goLive(streamer, '1');
    const outside = await user('2');
    outside.send({ op: 20, d: { stream_key: keyOf('1') } });
    expect((await outside.dispatch('STREAM_DELETE')).d.reason).toBe('unauthorized');
    const elsewhere = await inVoice('3', OTHER_VOICE);
    elsewhere.send({ op: 20, d: { stream_key: keyOf('1') } });
    expect((await elsewhere.dispatch('STREAM_DELETE')).d.reason).toBe('unauthorized');
    elsewhere.send({ op: 20, d: { stream_key: keyOf('2') } });
    expect((await elsewhere.dispatch('STREAM_DELETE')).d).toMatchObject({
      stream_key: keyOf('2'),
      reason: 'stream_ended',
    });
    elsewhere.send({ op: 20, d: { stream_key: 'guild:nope' } });
    expect((await elsewhere.dispatch('STREAM_DELETE')).d).toMatchObject({
      stream_key: 'guild:nope',
      reason: 'parse_failed',
    });
    const viewer = await inVoice('4');
    viewer.send({ op: 20, d: { stream_key: keyOf('1') } });
    await viewer.dispatch('STREAM_SERVER_UPDATE');
    // maxStreamViewers: 1 — the next one is told the stream is full.
    outside.send({ op: 4, d: { guild_id: GUILD_A, channel_id: VOICE, self_mute: false, self_deaf: false } });
    await outside.dispatch('VOICE_SERVER_UPDATE');
    outside.send({ op: 20, d: { stream_key: keyOf('1') } });
    expect((await outside.dispatch('STREAM_DELETE')).d.reason).toBe('stream_full');
  });
});

describe('Go Live: cleanup', () => {
  it('the streamer leaving voice ends the stream for its viewers and releases the room', async () => {
    const { released } = await start();
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    await goLive(streamer, '1');
    alice.send({ op: 20, d: { stream_key: keyOf('1') } });
    await alice.dispatch('STREAM_SERVER_UPDATE');
    streamer.send({ op: 4, d: { guild_id: GUILD_A, channel_id: null, self_mute: false, self_deaf: false } });
    expect((await alice.dispatch('STREAM_DELETE')).d.reason).toBe('stream_ended');
    expect((await streamer.dispatch('STREAM_DELETE')).d.reason).toBe('stream_ended');
    expect(released).toEqual([{ streamKey: keyOf('1') }]);
    // Its leaving voice state already says it streams no more.
    const left = await voiceStateOf(alice, '1', (d) => d.channel_id === null);
    expect(left.d.self_stream).toBe(false);
    // The key names a stream no longer: watching it is refused.
    alice.send({ op: 20, d: { stream_key: keyOf('1') } });
    expect((await alice.dispatch('STREAM_DELETE')).d.reason).toBe('stream_ended');
  });

  it('the streamer moving to another channel, or its session ending, ends the stream', async () => {
    await start();
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    await goLive(streamer, '1');
    alice.send({ op: 20, d: { stream_key: keyOf('1') } });
    await alice.dispatch('STREAM_SERVER_UPDATE');
    streamer.send({ op: 4, d: { guild_id: GUILD_A, channel_id: OTHER_VOICE, self_mute: false, self_deaf: false } });
    expect((await alice.dispatch('STREAM_DELETE')).d.reason).toBe('stream_ended');
    const moved = await voiceStateOf(alice, '1', (d) => d.channel_id === OTHER_VOICE);
    expect(moved.d.self_stream).toBe(false);

    // Streams again in its new channel; alice follows; then its session ends (close 1000: not resumable).
    await goLive(streamer, '1', OTHER_VOICE);
    alice.send({ op: 4, d: { guild_id: GUILD_A, channel_id: OTHER_VOICE, self_mute: false, self_deaf: false } });
    await voiceStateOf(alice, '2', (d) => d.channel_id === OTHER_VOICE);
    alice.send({ op: 20, d: { stream_key: keyOf('1', OTHER_VOICE) } });
    await alice.dispatch('STREAM_SERVER_UPDATE');
    await streamer.close(1000);
    expect((await alice.dispatch('STREAM_DELETE')).d).toMatchObject({
      stream_key: keyOf('1', OTHER_VOICE),
      reason: 'stream_ended',
    });
  });

  it('a dropped connection keeps the stream (the session is resumable); after Resume the streamer still owns it', async () => {
    await start();
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    const ready = streamer.received.find((p) => p.t === 'READY')!;
    await goLive(streamer, '1');
    alice.send({ op: 20, d: { stream_key: keyOf('1') } });
    await alice.dispatch('STREAM_SERVER_UPDATE');
    const seq = streamer.lastSeq();
    await streamer.close(4000);
    const resumed = await connect(server!);
    clients.push(resumed);
    await resumed.next((p) => p.op === 10);
    resumed.send({ op: 6, d: { token: 'token-1', session_id: ready.d.session_id, seq } });
    await resumed.dispatch('RESUMED');
    expect(alice.received.some((p) => p.t === 'STREAM_DELETE')).toBe(false);
    resumed.send({ op: 22, d: { stream_key: keyOf('1'), paused: true } });
    expect((await streamEvent(alice, 'STREAM_UPDATE', (d) => d.paused === true)).d.viewer_ids).toEqual(['2']);
    expect((await streamEvent(resumed, 'STREAM_UPDATE', (d) => d.paused === true)).d.stream_key).toBe(keyOf('1'));
  });

  it('a moderator moving or disconnecting the streamer ends its stream', async () => {
    await start();
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    await goLive(streamer, '1');
    alice.send({ op: 20, d: { stream_key: keyOf('1') } });
    await alice.dispatch('STREAM_SERVER_UPDATE');
    expect(await server!.moveVoiceMember(GUILD_A, '1', OTHER_VOICE)).toBe(1);
    expect((await alice.dispatch('STREAM_DELETE')).d.reason).toBe('stream_ended');
    const moved = await voiceStateOf(alice, '1', (d) => d.channel_id === OTHER_VOICE);
    expect(moved.d.self_stream).toBe(false);
    await goLive(streamer, '1', OTHER_VOICE);
    expect(await server!.moveVoiceMember(GUILD_A, '1', null)).toBe(1);
    const ended = await streamEvent(streamer, 'STREAM_DELETE', (d) => d.stream_key === keyOf('1', OTHER_VOICE));
    expect(ended.d.reason).toBe('stream_ended');
  });

  it('a viewer leaving the channel stops watching: the streamer sees it gone, the viewer gets STREAM_DELETE', async () => {
    const { released } = await start();
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    const bob = await inVoice('3');
    await goLive(streamer, '1');
    for (const viewer of [alice, bob]) {
      viewer.send({ op: 20, d: { stream_key: keyOf('1') } });
      await viewer.dispatch('STREAM_SERVER_UPDATE');
    }
    alice.send({ op: 4, d: { guild_id: GUILD_A, channel_id: OTHER_VOICE, self_mute: false, self_deaf: false } });
    expect((await alice.dispatch('STREAM_DELETE')).d.reason).toBe('stream_ended');
    expect((await streamEvent(streamer, 'STREAM_UPDATE', (d) => d.viewer_ids.join() === '3')).d.viewer_ids).toEqual([
      '3',
    ]);
    await bob.close(1000);
    expect((await streamEvent(streamer, 'STREAM_UPDATE', (d) => d.viewer_ids.length === 0)).d.viewer_ids).toEqual([]);
    expect(released).toEqual([
      { streamKey: keyOf('1'), userId: '2' },
      { streamKey: keyOf('1'), userId: '3' },
    ]);
  });
});

describe('Go Live: allocators without stream rooms', () => {
  it('names the room itself (odd rtc_server_id, rtc_channel_id one less) and allocates it like a voice channel', async () => {
    const allocations: VoiceAllocationRequest[] = [];
    const released: unknown[] = [];
    const allocator: VoiceAllocator = {
      allocate: (request) => {
        allocations.push(request);
        return { endpoint: 'voice.test:443', token: `t-${request.guildId}-${request.userId}` };
      },
      release: (request) => void released.push(request),
    };
    server = await startServer({ directory: streamDirectory(), voiceAllocator: allocator });
    const streamer = await inVoice('1');
    const alice = await inVoice('2');
    const { create, serverUpdate } = await goLive(streamer, '1');
    const rtc = BigInt(create.rtc_server_id);
    expect(rtc % 2n).toBe(1n);
    expect(create.rtc_channel_id).toBe(String(rtc - 1n));
    expect(serverUpdate.token).toBe(`t-${create.rtc_server_id}-1`);
    alice.send({ op: 20, d: { stream_key: keyOf('1') } });
    expect((await alice.dispatch('STREAM_CREATE')).d.rtc_server_id).toBe(create.rtc_server_id);
    expect(allocations.filter((a) => a.guildId === create.rtc_server_id).map((a) => a.userId)).toEqual(['1', '2']);
    streamer.send({ op: 19, d: { stream_key: keyOf('1') } });
    await alice.dispatch('STREAM_DELETE');
    await delay(20);
    expect(released).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ guildId: create.rtc_server_id, userId: '1' }),
        expect.objectContaining({ guildId: create.rtc_server_id, userId: '2' }),
      ]),
    );
  });
});

describe('Go Live: hostile payloads close with 4002', () => {
  const hostile: [string, unknown][] = [
    ['op 18 without a payload', { op: 18, d: null }],
    [
      'op 18 with a channel id that is not a snowflake',
      { op: 18, d: { type: 'guild', guild_id: GUILD_A, channel_id: 'x' } },
    ],
    ['op 18 with a type that is not a string', { op: 18, d: { type: 1, guild_id: GUILD_A, channel_id: VOICE } }],
    ['op 18 with a huge type', { op: 18, d: { type: 'g'.repeat(10_000), guild_id: GUILD_A, channel_id: VOICE } }],
    ['op 18 with a guild id that is an object', { op: 18, d: { type: 'guild', guild_id: {}, channel_id: VOICE } }],
    [
      'op 18 with a region that is a number',
      { op: 18, d: { type: 'guild', guild_id: GUILD_A, channel_id: VOICE, preferred_region: 7 } },
    ],
    ['op 19 with an array', { op: 19, d: [keyOf('1')] }],
    ['op 20 with a numeric key', { op: 20, d: { stream_key: 12 } }],
    ['op 20 with a huge key', { op: 20, d: { stream_key: `guild:${'1'.repeat(100_000)}` } }],
    ['op 20 with an empty key', { op: 20, d: { stream_key: '' } }],
    ['op 21 without a key', { op: 21, d: {} }],
    ['op 22 with paused as a string', { op: 22, d: { stream_key: keyOf('1'), paused: 'yes' } }],
  ];
  for (const [name, payload] of hostile) {
    it(name, async () => {
      await start({ maxPayloadBytes: 1 << 20 });
      const c = await inVoice('1');
      c.send(payload);
      expect((await c.closed).code).toBe(4002);
    });
  }

  it('op 21 with a key is accepted and answered with nothing', async () => {
    await start();
    const c = await inVoice('1');
    c.send({ op: 21, d: { stream_key: keyOf('1') } });
    c.send({ op: 1, d: null });
    await c.next((p) => p.op === 11);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});
