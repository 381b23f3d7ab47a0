// Go Live end to end on the assembled chat server (docs/protocol.md "Go Live"): one user streams its screen, two
// watch, and the video frames arrive at both. Main gateway: op 18 / op 20 → STREAM_CREATE + STREAM_SERVER_UPDATE;
// voice: a second voice connection per participant, identified with `server_id` = `rtc_server_id`.
import type { VoiceClient } from '@concord/voice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodedFrames, encodeScreen, ffmpegAvailable } from './goLiveMedia.js';
import { RawGateway } from './rawGateway.js';
import { type RunningServer, startServer } from './startServer.js';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field by the assertions.
type Json = any;

const LOBBY = '1200000000000000000';
const VOICE = '1200000000000000002';
const WIDTH = 1280;
const HEIGHT = 720;

/** What the test reads of a received video frame (the `videoFrame` event of VoiceClient). */
interface ReceivedVideoFrame {
  codec: string;
  keyframe: boolean;
  data: Buffer;
  size: { width: number; height: number } | null;
}

/** A VP8 keyframe as an encoder lays it out (RFC 6386 §9.1: frame tag, start code, 14-bit sizes), numbered `n`. */
function screenFrame(n: number): Buffer {
  const frame = Buffer.alloc(600, n & 0xff);
  frame[0] = 0x10; // keyframe (bit 0 clear), version 0, show_frame
  frame[1] = 0x02;
  frame[2] = 0x00;
  frame.set([0x9d, 0x01, 0x2a], 3);
  frame.writeUInt16LE(WIDTH, 6);
  frame.writeUInt16LE(HEIGHT, 8);
  frame.writeUInt32BE(n, 20);
  return frame;
}

interface Participant {
  gw: RawGateway;
  userId: string;
  sessionId: string;
}

describe('Go Live through the chat server', () => {
  let server: RunningServer;
  const clients: VoiceClient[] = [];
  const gateways: RawGateway[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const g of gateways) g.close();
    await server?.stop();
  });

  async function join(name: string, extra: Record<string, unknown> = {}): Promise<Participant> {
    const gw = await RawGateway.identify(server.port, `Bot ${name}`);
    gateways.push(gw);
    const ready = (await gw.waitFor('READY')).d;
    gw.ws.send(
      JSON.stringify({
        op: 4,
        d: { guild_id: LOBBY, channel_id: VOICE, self_mute: false, self_deaf: false, ...extra },
      }),
    );
    await gw.waitFor('VOICE_SERVER_UPDATE');
    return { gw, userId: ready.user.id, sessionId: ready.session_id };
  }

  async function streamConnection(who: Participant, create: Json, update: Json, send: boolean): Promise<VoiceClient> {
    const { VoiceClient } = await import('@concord/voice');
    const client = new VoiceClient({
      endpoint: update.endpoint,
      token: update.token,
      userId: who.userId,
      sessionId: who.sessionId,
      // The stream's voice connection names the stream's rtc server, not the guild (as Discord's clients do).
      guildId: create.rtc_server_id,
      video: send
        ? {
            codec: 'VP8',
            layers: [
              {
                rid: '100',
                quality: 100,
                type: 'screen',
                width: WIDTH,
                height: HEIGHT,
                maxBitrate: 4e6,
                maxFramerate: 30,
              },
            ],
          }
        : { codec: 'VP8' },
    });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  }

  it('op 4 carries self_video to the guild', async () => {
    const camera = await join('camera', { self_video: true });
    const state = await camera.gw.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === camera.userId);
    expect(state.d).toMatchObject({ channel_id: VOICE, self_video: true, self_stream: false });
  });

  /** `name` goes live, two others watch: the stream's key, the streamer's stream connection and the viewers'. */
  async function goLive(name: string) {
    const streamer = await join(name);
    const alice = await join(`${name}-alice`);
    const bob = await join(`${name}-bob`);

    streamer.gw.ws.send(
      JSON.stringify({ op: 18, d: { type: 'guild', guild_id: LOBBY, channel_id: VOICE, preferred_region: null } }),
    );
    const key = `guild:${LOBBY}:${VOICE}:${streamer.userId}`;
    const created = (await streamer.gw.waitFor('STREAM_CREATE')).d;
    expect(created).toMatchObject({ stream_key: key, viewer_ids: [], paused: false });
    const serverUpdate = (await streamer.gw.waitFor('STREAM_SERVER_UPDATE')).d;
    expect(serverUpdate).toMatchObject({ stream_key: key, guild_id: null });
    expect(serverUpdate.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    // The guild sees the streamer live.
    await alice.gw.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === streamer.userId && d.self_stream === true);

    const sender = await streamConnection(streamer, created, serverUpdate, true);
    const viewers: { who: Participant; client: VoiceClient; frames: ReceivedVideoFrame[] }[] = [];
    for (const who of [alice, bob]) {
      who.gw.ws.send(JSON.stringify({ op: 20, d: { stream_key: key } }));
      const create = (await who.gw.waitFor('STREAM_CREATE', (d) => d.stream_key === key)).d;
      expect(create.rtc_server_id).toBe(created.rtc_server_id);
      expect(create.viewer_ids).toContain(who.userId);
      const update = (await who.gw.waitFor('STREAM_SERVER_UPDATE', (d) => d.stream_key === key)).d;
      const client = await streamConnection(who, create, update, false);
      const frames: ReceivedVideoFrame[] = [];
      client.on('videoFrame', (frame) => frames.push(frame));
      viewers.push({ who, client, frames });
    }
    await streamer.gw.waitFor('STREAM_UPDATE', (d) => d.viewer_ids.length === 2);
    return { key, streamer, alice, sender, viewers };
  }

  it('one user streams, two watch: the screen frames arrive at both, and ending the stream ends theirs', async () => {
    const { key, streamer, alice, sender, viewers } = await goLive('streamer');

    // Stream until both viewers have 10 frames (the test's timeout bounds it).
    let n = 0;
    while (viewers.some((v) => v.frames.length < 10)) {
      sender.sendVideoFrame(screenFrame(n++));
      await new Promise((r) => setTimeout(r, 33));
    }
    for (const { frames } of viewers) {
      const first = frames[0]!;
      expect(first.codec).toBe('VP8');
      expect(first.keyframe).toBe(true);
      expect(first.size).toEqual({ width: WIDTH, height: HEIGHT });
      // Whole frames, byte for byte as sent (the frame number is at byte 20).
      const number = first.data.readUInt32BE(20);
      expect(first.data.equals(screenFrame(number))).toBe(true);
      expect(new Set(frames.map((f) => f.data.readUInt32BE(20))).size).toBe(frames.length);
    }

    // Viewers only receive: what one of them sends reaches nobody.
    const heard: string[] = [];
    sender.on('packet', (p) => heard.push(`streamer<-${p.ssrc}`));
    viewers[1]!.client.on('packet', (p) => heard.push(`bob<-${p.ssrc}`));
    for (let i = 0; i < 10; i++) viewers[0]!.client.sendOpus(Buffer.from([0xf8, 0xff, 0xfe]));
    const before = viewers[1]!.frames.length;
    while (viewers[1]!.frames.length < before + 3) {
      sender.sendVideoFrame(screenFrame(n++));
      await new Promise((r) => setTimeout(r, 33));
    }
    expect(heard).toEqual([]);

    // The streamer ends the stream: viewers get STREAM_DELETE and their stream connections close (4022).
    const closed = viewers.map((v) => new Promise<number>((resolve) => v.client.once('close', resolve)));
    streamer.gw.ws.send(JSON.stringify({ op: 19, d: { stream_key: key } }));
    for (const { who } of viewers) {
      expect((await who.gw.waitFor('STREAM_DELETE', (d) => d.stream_key === key)).d.reason).toBe('stream_ended');
    }
    expect(await Promise.all(closed)).toEqual([4022, 4022]);
    await alice.gw.waitFor('VOICE_STATE_UPDATE', (d) => d.user_id === streamer.userId && d.self_stream === false);
  }, 30_000);

  it.skipIf(!ffmpegAvailable())(
    'a real VP8 screen (ffmpeg/libvpx) decodes at both viewers at its size',
    async () => {
      const { sender, viewers } = await goLive('encoder');
      const encoded = encodeScreen(WIDTH, HEIGHT, 30);
      expect(encoded).toHaveLength(30);
      for (const frame of encoded) {
        sender.sendVideoFrame(frame);
        await new Promise((r) => setTimeout(r, 33));
      }
      for (const { frames } of viewers) {
        while (frames.length < encoded.length) await new Promise((r) => setTimeout(r, 20));
        expect(frames[0]!.keyframe).toBe(true);
        expect(frames[0]!.size).toEqual({ width: WIDTH, height: HEIGHT });
        expect(frames.map((f) => f.data.length)).toEqual(encoded.map((f) => f.length));
        expect(
          decodedFrames(
            frames.map((f) => f.data),
            WIDTH,
            HEIGHT,
          ),
        ).toBe(encoded.length);
      }
    },
    30_000,
  );
});
