// Browser receivers' feedback through the WebRTC leg (docs/protocol.md "Browsers (WebRTC)"): a werift peer stands
// in for the browser. Its NACKs about a slot are answered from the Sfu's retransmission cache (the lost packets come
// back on the slot with the sequence numbers first used), and its REMB picks the simulcast layer it is sent of a
// native three-layer sender.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { readRtpFixedHeader } from '../src/rtp/RtpHeader.js';
import { roomKey } from '../src/server/Room.js';
import type { Sfu } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { buildRemb } from '../src/video/rtcpFeedback.js';
import { WebRtcLeg } from '../src/webrtc/WebRtcLeg.js';
import { waitFor } from './helpers.js';
import { WebRtcTestPeer } from './webrtcPeer.js';

let server: VoiceServer;

beforeAll(async () => {
  server = await createVoiceServer({ heartbeatInterval: 5_000 });
});

afterAll(async () => {
  await server.close();
});

function legOf(channelId: string, userId: string): WebRtcLeg {
  const sfu = (server as unknown as { sfu: Sfu }).sfu;
  const member = [...sfu.members(roomKey('g', channelId))].find((m) => m.userId === userId);
  expect(member?.leg).toBeInstanceOf(WebRtcLeg);
  return member!.leg as WebRtcLeg;
}

/** A VP8-looking frame the Sfu takes for a keyframe (or not), `length` bytes, the rest filled with `fill`. */
function vp8Frame(key: boolean, length: number, fill: number): Buffer {
  const frame = Buffer.alloc(length, fill);
  frame[0] = key ? 0x10 : 0x11;
  if (key) {
    frame.set([0x9d, 0x01, 0x2a], 3);
    frame.writeUInt16LE(640, 6);
    frame.writeUInt16LE(360, 8);
  }
  return frame;
}

function nativeClient(channelId: string, userId: string, video: ConstructorParameters<typeof VoiceClient>[0]['video']) {
  const sessionId = `s-${userId}`;
  const { token, endpoint } = server.allocate({ guildId: 'g', channelId, userId, sessionId });
  return new VoiceClient({ endpoint, token, sessionId, userId, guildId: 'g', video, rtcpInterval: 0 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WebRTC receivers: NACK and REMB', () => {
  it('a NACK from the browser gets the lost packets back on its slot, numbered as first sent', async () => {
    const sender = nativeClient('nack', 'n-sender', {
      layers: [{ rid: '100', quality: 100, width: 640, height: 360, maxBitrate: 500_000, maxFramerate: 30 }],
    });
    await sender.connect();
    const web = await WebRtcTestPeer.join(server, 'g', 'nack', 'n-web');
    await web.connect(1);
    // The answer negotiates the feedback the server acts on.
    expect(web.answer).toMatch(/a=rtcp-fb:\d+ nack\r?\n/);
    expect(web.answer).toMatch(/a=rtcp-fb:\d+ goog-remb/);
    const leg = legOf('nack', 'n-web');
    // The browser's side of DTLS-SRTP can finish before the server's track opens; packets sent before that are dropped
    // (counted as notOpen), so probe keyframes (fill 0xff) go first until one arrives on the slot.
    const PROBE = 0xff;
    let probed = 0;
    await waitFor(
      () => {
        if (Date.now() - probed >= 20) {
          probed = Date.now();
          sender.sendVideoFrame(vp8Frame(true, 300, PROBE), { timestamp: 0 });
        }
        const slot = web.videoSlotOf('n-sender');
        return slot !== null && (web.received.get(slot) ?? []).some((p) => p.payload.at(-1) === PROBE);
      },
      10_000,
      'the slot carries video',
    );
    // Loss on the leg: every 5th VP8 packet to this peer is dropped the first time (retransmissions pass), but not the
    // last one: a loss is only seen (and NACKed) when a later packet arrives.
    const send = leg.sendRtp.bind(leg);
    let video = 0;
    const dropped: number[] = [];
    const FRAMES = 60;
    leg.sendRtp = (header: Buffer, payload: Buffer) => {
      const fixed = readRtpFixedHeader(header);
      if (fixed.payloadType === 103 && ++video % 5 === 0 && video < FRAMES) {
        dropped.push(fixed.sequence);
        return;
      }
      send(header, payload);
    };
    // Each frame one packet; its index in the last byte. A keyframe first so the slot starts at once.
    for (let i = 0; i < FRAMES; i++) {
      sender.sendVideoFrame(vp8Frame(i % 30 === 0, 300, i), { timestamp: (i + 1) * 3000 });
      await sleep(15);
    }
    await waitFor(() => web.videoSlotOf('n-sender') !== null, 5000, 'slot bound');
    const slot = web.videoSlotOf('n-sender')!;
    const counted = () => (web.received.get(slot) ?? []).filter((p) => p.payload.at(-1) !== PROBE);
    const indexes = () => new Set(counted().map((p) => p.payload.at(-1)));
    await waitFor(() => indexes().size === FRAMES, 5000, 'every frame, the lost ones retransmitted');
    expect(dropped.length).toBe(FRAMES / 5 - 1);
    expect(leg.stats.feedback.nack).toBeGreaterThan(0);
    expect(leg.stats.retransmitted).toBeGreaterThanOrEqual(dropped.length);
    // A retransmitted packet carries the slot sequence number of the packet it replaces (same payload, same seq).
    const bySeq = new Map<number, Buffer>();
    for (const p of counted()) {
      const seen = bySeq.get(p.sequence);
      if (seen) expect(seen.equals(p.payload)).toBe(true);
      bySeq.set(p.sequence, p.payload);
    }
    expect(bySeq.size).toBe(FRAMES);
    const seqs = [...bySeq.keys()].sort((a, b) => a - b);
    expect(seqs.at(-1)! - seqs[0]!).toBe(FRAMES - 1);
    sender.disconnect();
    await web.close();
  }, 30_000);

  it("the browser's REMB picks the layer it gets of a native three-layer sender", async () => {
    const LAYERS = [
      { rid: '25', quality: 25, width: 320, height: 180, maxBitrate: 80_000, maxFramerate: 25 },
      { rid: '50', quality: 50, width: 640, height: 360, maxBitrate: 350_000, maxFramerate: 25 },
      { rid: '100', quality: 100, width: 1280, height: 720, maxBitrate: 1_500_000, maxFramerate: 25 },
    ];
    // Frame sizes per layer: about 60, 300 and 1200 kbit/s at 25 fps (what the Sfu measures as each layer's cost).
    const SIZES = [300, 1500, 6000];
    const sender = nativeClient('remb', 'r-sender', { layers: LAYERS });
    await sender.connect();
    const web = await WebRtcTestPeer.join(server, 'g', 'remb', 'r-web');
    await web.connect(1);
    const leg = legOf('remb', 'r-web');
    let running = true;
    const pump = (async () => {
      // Every frame a keyframe on every layer: a switch happens on the next frame.
      for (let i = 0; running; i++) {
        for (const [l, layer] of LAYERS.entries()) {
          sender.sendVideoFrame(vp8Frame(true, SIZES[l]!, l + 1), { rid: layer.rid, timestamp: i * 3600 });
        }
        await sleep(40);
      }
    })();
    await waitFor(() => web.videoSlotOf('r-sender') !== null, 5000, 'slot bound');
    const slot = web.videoSlotOf('r-sender')!;
    const remb = (bitrate: number) => {
      const transport = web.pc.getTransceivers()[0]!.receiver.dtlsTransport;
      void transport.sendRtcp([{ serialize: () => buildRemb(web.ssrc, bitrate, [slot]) } as never]);
    };
    /** The layer of the last packets received (fill byte = layer + 1). */
    const layerNow = () => {
      const got = web.received.get(slot) ?? [];
      return got.length < 5 ? -1 : got.at(-1)!.payload.at(-1)! - 1;
    };
    const settleOn = async (bitrate: number, layer: number) => {
      await waitFor(
        () => {
          remb(bitrate);
          const got = (web.received.get(slot) ?? []).slice(-6);
          return got.length === 6 && got.every((p) => p.payload.at(-1) === layer + 1);
        },
        8000,
        `layer ${layer} at ${bitrate} bit/s`,
      );
    };
    // No estimate yet: unlimited, the top layer.
    await waitFor(() => layerNow() === 2, 5000, 'top layer without REMB');
    await settleOn(100_000, 0);
    expect(leg.stats.estimate).toBe(100_000);
    await settleOn(600_000, 1);
    await settleOn(5_000_000, 2);
    expect(leg.stats.feedback.remb).toBeGreaterThan(0);
    running = false;
    await pump;
    sender.disconnect();
    await web.close();
  }, 40_000);
});
