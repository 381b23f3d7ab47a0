// Go Live stream rooms on one voice server (docs/protocol.md "Go Live"): `allocateStream` names a room per stream key
// (Identify `server_id` = rtc_server_id), the streamer's media reaches the viewers, viewers only receive, and
// `releaseStream` ends a viewer (4014) or the whole stream (4022).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoLayer } from '../src/client/VideoOptions.js';
import { VoiceClient } from '../src/client/VoiceClient.js';
import type { VoiceClientOptions } from '../src/client/VoiceClientOptions.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';

let server: VoiceServer;
beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
});
afterAll(async () => {
  await server.close();
});

const KEY = 'guild:1:2:10';
const request = (userId: string) => ({
  streamKey: KEY,
  guildId: '1',
  channelId: '2',
  ownerId: '10',
  userId,
  sessionId: `s-${userId}`,
});

const SCREEN: VideoLayer = {
  rid: '100',
  quality: 100,
  type: 'screen',
  width: 640,
  height: 360,
  maxBitrate: 1e6,
  maxFramerate: 15,
};

function connect(
  userId: string,
  serverId?: string,
  video?: VoiceClientOptions['video'],
  streamKey = KEY,
): { client: VoiceClient; rtcServerId: string } {
  // The owner is the key's last part.
  const ownerId = streamKey.slice(streamKey.lastIndexOf(':') + 1);
  const allocation = server.allocateStream({ ...request(userId), streamKey, ownerId });
  const client = new VoiceClient({
    endpoint: allocation.endpoint,
    token: allocation.token,
    userId,
    sessionId: `s-${userId}`,
    guildId: serverId ?? allocation.rtcServerId,
    ...(video ? { video } : {}),
  });
  client.on('error', () => undefined);
  return { client, rtcServerId: allocation.rtcServerId };
}

const OPUS = Buffer.from([0xf8, 0xff, 0xfe]);

/** A VP8 keyframe as an encoder lays it out (frame tag, start code 9d 01 2a, 14-bit sizes), numbered at byte 20. */
function keyframe(n: number): Buffer {
  const frame = Buffer.alloc(400, 7);
  frame.set([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a], 0);
  frame.writeUInt16LE(640, 6);
  frame.writeUInt16LE(360, 8);
  frame.writeUInt32BE(n, 20);
  return frame;
}

describe('Go Live stream rooms', () => {
  it('one room per stream key, named by an odd snowflake rtc id with the channel id one less', () => {
    const a = server.allocateStream(request('10'));
    const b = server.allocateStream(request('11'));
    expect(b.rtcServerId).toBe(a.rtcServerId);
    expect(BigInt(a.rtcServerId) % 2n).toBe(1n);
    expect(a.rtcChannelId).toBe(String(BigInt(a.rtcServerId) - 1n));
    expect(server.allocateStream({ ...request('10'), streamKey: 'guild:1:2:12', ownerId: '12' }).rtcServerId).not.toBe(
      a.rtcServerId,
    );
    server.releaseStream({ streamKey: 'guild:1:2:12' });
  });

  it('refuses the guild id as server_id (the stream token names the rtc server)', async () => {
    const { client } = connect('11', '1');
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    await expect(client.connect()).rejects.toThrow();
    expect(await closed).toBe(4011);
  });

  it('the streamer reaches its viewers; viewers reach nobody; a viewer leaves (4014); the stream ends (4022)', async () => {
    const streamer = connect('10');
    const alice = connect('11');
    const bob = connect('12');
    await Promise.all([streamer.client.connect(), alice.client.connect(), bob.client.connect()]);
    expect(server.members(streamer.rtcServerId, String(BigInt(streamer.rtcServerId) - 1n))).toHaveLength(3);
    const got: string[] = [];
    for (const [name, c] of [
      ['streamer', streamer.client],
      ['alice', alice.client],
      ['bob', bob.client],
    ] as const) {
      c.on('packet', (p) => got.push(`${name}<-${c.userOf(p.ssrc) ?? p.ssrc}`));
    }
    // A viewer's packets are not forwarded (sent first, so that they would arrive before the streamer's).
    for (let i = 0; i < 5; i++) alice.client.sendOpus(OPUS);
    for (let i = 0; i < 5; i++) streamer.client.sendOpus(OPUS);
    await waitFor(() => got.filter((g) => g.startsWith('bob<-')).length >= 5, 5000, 'streamer packets at bob');
    await waitFor(() => got.filter((g) => g.startsWith('alice<-')).length >= 5, 5000, 'streamer packets at alice');
    expect(got.every((g) => g.endsWith('<-10'))).toBe(true);

    const aliceClosed = new Promise<number>((resolve) => alice.client.once('close', resolve));
    server.releaseStream({ streamKey: KEY, userId: '11' });
    expect(await aliceClosed).toBe(4014);
    const closed = [streamer, bob].map((p) => new Promise<number>((resolve) => p.client.once('close', resolve)));
    server.releaseStream({ streamKey: KEY });
    expect(await Promise.all(closed)).toEqual([4022, 4022]);
    // The key names no room now: a new stream under it gets new ids.
    expect(server.allocateStream(request('10')).rtcServerId).not.toBe(streamer.rtcServerId);
    server.releaseStream({ streamKey: KEY });
  });

  it("a viewer's video is not forwarded; the streamer's is", async () => {
    const key = 'guild:1:2:20';
    const streamer = connect('20', undefined, { layers: [SCREEN] }, key);
    const carol = connect('21', undefined, { layers: [SCREEN] }, key);
    const dave = connect('22', undefined, {}, key);
    await Promise.all([streamer.client.connect(), carol.client.connect(), dave.client.connect()]);
    const seen: string[] = [];
    for (const [name, c] of [
      ['streamer', streamer.client],
      ['dave', dave.client],
    ] as const) {
      c.on('videoFrame', (f) => seen.push(`${name}<-${f.data.readUInt32BE(20) >= 1000 ? 'carol' : 'streamer'}`));
    }
    let n = 0;
    while (seen.filter((x) => x === 'dave<-streamer').length < 5) {
      carol.client.sendVideoFrame(keyframe(1000 + n));
      streamer.client.sendVideoFrame(keyframe(n++));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen.every((x) => x === 'dave<-streamer')).toBe(true);
    expect(server.stats.video.dropped.muted).toBeGreaterThanOrEqual(5);
    server.releaseStream({ streamKey: key });
  });
});
