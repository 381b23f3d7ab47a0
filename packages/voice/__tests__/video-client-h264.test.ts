// H.264 through the SFU: a VoiceClient sends libx264 access units (RFC 6184: STAP-A for SPS/PPS, FU-A for large
// slices) on one layer, a receiver rebuilds them byte for byte, with loss on its leg repaired by NACK/RTX, ffmpeg
// decodes every one at the encoded size, and turning the camera off reaches the receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import type { UdpSend } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';
import { decodeH264, encodeH264TestPattern, ffmpegAvailable } from './support/ffmpeg.js';

const available = ffmpegAvailable('the H.264 video test', 'libx264');
const FRAMES = 60;
const FPS = 30;

describe.skipIf(!available)('H.264 video through the SFU', () => {
  let server: VoiceServer;
  let units: Buffer[];

  beforeAll(async () => {
    // udpBatch off: these tests put loss on a leg by wrapping the SFU's `send`, which batched media bypasses.
    server = await createVoiceServer({ heartbeatInterval: 5_000, udpBatch: false });
    units = encodeH264TestPattern(640, 360, FRAMES, FPS, 30);
  }, 30_000);

  afterAll(async () => {
    await server?.close();
  });

  function join(userId: string, video: ConstructorParameters<typeof VoiceClient>[0]['video']) {
    const sessionId = `s-${userId}`;
    const { token, endpoint } = server.allocate({ guildId: 'g1', channelId: 'h264', userId, sessionId });
    return new VoiceClient({ endpoint, token, sessionId, userId, guildId: 'g1', video, rtcpInterval: 0 });
  }

  it('every access unit arrives whole (loss repaired) and decodes at 640x360', async () => {
    expect(units.length).toBe(FRAMES);
    const sender = join('ha', {
      codec: 'H264',
      layers: [{ rid: '100', quality: 100, width: 640, height: 360, maxBitrate: 1_500_000, maxFramerate: FPS }],
    });
    const receiver = join('hb', { codec: 'H264' });
    await sender.connect();
    await receiver.connect();
    const received: Buffer[] = [];
    receiver.on('videoFrame', (f) => {
      expect(f.codec).toBe('H264');
      received.push(f.data);
    });
    const state = receiver.state;
    if (state.code !== 'ready') throw new Error(`receiver is ${state.code}`);
    const port = state.udp.socket.address().port;
    const sfu = (server as unknown as { sfu: { send: UdpSend } }).sfu;
    const send = sfu.send;
    let toReceiver = 0;
    // Every 9th original H.264 packet (PT 101) to the receiver vanishes; RTX (PT 102) passes.
    sfu.send = (packet, p, address) => {
      if (p === port && (packet[1]! & 0x7f) === 101 && ++toReceiver % 9 === 0) return;
      send(packet, p, address);
    };
    let i = 0;
    const pump = setInterval(() => {
      if (i >= FRAMES) return;
      sender.sendVideoFrame(units[i]!, { timestamp: i * (90_000 / FPS) });
      i++;
    }, 1000 / FPS);
    try {
      await waitFor(() => received.length === FRAMES, 20_000, 'every access unit');
    } finally {
      clearInterval(pump);
      sfu.send = send;
    }
    expect(received.map((r, k) => r.equals(units[k]!))).toEqual(units.map(() => true));
    expect(receiver.videoStats!.rtxReceived).toBeGreaterThan(0);
    expect(receiver.videoStats!.framesDropped).toBe(0);
    const decoded = decodeH264(received);
    expect(decoded.length).toBe(FRAMES);
    expect(decoded.every((d) => d.width === 640 && d.height === 360)).toBe(true);
    expect(decoded[0]!.keyframe).toBe(true);
    // Camera off: the receiver hears of it through the relayed op 12.
    const cameras: boolean[] = [];
    receiver.on('video', (v) => {
      if (v.userId === 'ha') cameras.push(v.active);
    });
    sender.setVideoActive(false);
    await waitFor(() => cameras.includes(false), 5_000, 'camera off');
    sender.disconnect();
    receiver.disconnect();
  }, 40_000);
});
