// THE native video proof (issue #18): a VoiceClient sends a test pattern encoded by a real VP8 encoder (ffmpeg/libvpx)
// in three simulcast layers through a real VoiceServer on loopback; two receivers with different bandwidth caps (REMB)
// get different layers, a cap change switches one on a keyframe, the frames decode with ffmpeg at the layer's size,
// loss on a receiver's leg is repaired by NACK/RTX, and a receiver's PLI makes the sender produce a keyframe.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedVideoFrame } from '../src/client/VideoEvents.js';
import type { VideoLayer } from '../src/client/VideoOptions.js';
import { VoiceClient } from '../src/client/VoiceClient.js';
import type { UdpSend } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { waitFor } from './helpers.js';
import { decodeVp8, encodeTestPattern, ffmpegAvailable } from './support/ffmpeg.js';
import type { IvfFile } from './support/ivf.js';

const available = ffmpegAvailable('the native video proof');

const FPS = 15;
const FRAMES = 180;
/** A keyframe every 3 s: PLI-forced keyframes are told apart from scheduled ones by where the pump jumped to. */
const KEYINT = 45;
const LAYERS: VideoLayer[] = [
  { rid: '25', quality: 25, width: 320, height: 180, maxBitrate: 150_000, maxFramerate: FPS },
  { rid: '50', quality: 50, width: 640, height: 360, maxBitrate: 500_000, maxFramerate: FPS },
  { rid: '100', quality: 100, width: 1280, height: 720, maxBitrate: 2_000_000, maxFramerate: FPS },
];

interface Seen {
  layer: number;
  index: number;
  keyframe: boolean;
  frame: ReceivedVideoFrame;
}

const hash = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

describe.skipIf(!available)('native video through the SFU (VP8 simulcast, REMB, NACK/RTX, PLI)', () => {
  let server: VoiceServer;
  let encoded: IvfFile[];
  /** Every encoded frame by content: which layer and which picture a received frame is. */
  const identity = new Map<string, { layer: number; index: number }>();

  beforeAll(async () => {
    // udpBatch off: these tests put loss on a leg by wrapping the SFU's `send`, which batched media bypasses.
    server = await createVoiceServer({ heartbeatInterval: 5_000, udpBatch: false });
    encoded = encodeTestPattern(
      LAYERS.map((l) => ({ width: l.width, height: l.height, bitrate: l.maxBitrate })),
      FRAMES,
      FPS,
      KEYINT,
    );
    encoded.forEach((file, layer) => {
      file.frames.forEach((f, index) => {
        identity.set(hash(f.data), { layer, index });
      });
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  function join(userId: string, video: ConstructorParameters<typeof VoiceClient>[0]['video']) {
    const sessionId = `s-${userId}`;
    const { token, endpoint } = server.allocate({ guildId: 'g1', channelId: 'video', userId, sessionId });
    return new VoiceClient({ endpoint, token, sessionId, userId, guildId: 'g1', video, rtcpInterval: 0 });
  }

  function collect(client: VoiceClient): Seen[] {
    const seen: Seen[] = [];
    client.on('videoFrame', (frame) => {
      const id = identity.get(hash(frame.data)) ?? { layer: -1, index: -1 };
      seen.push({ ...id, keyframe: frame.keyframe, frame });
    });
    return seen;
  }

  /** Frames follow each other picture by picture on one layer; a jump or a layer change only at a keyframe. */
  function expectContinuous(seen: readonly Seen[], fromStart = true): void {
    expect(seen.every((s) => s.layer >= 0)).toBe(true);
    if (fromStart) expect(seen[0]?.keyframe).toBe(true);
    for (let j = 1; j < seen.length; j++) {
      const [prev, cur] = [seen[j - 1]!, seen[j]!];
      if (!cur.keyframe)
        expect({ layer: cur.layer, index: cur.index }).toEqual({ layer: prev.layer, index: prev.index + 1 });
    }
  }

  function expectDecodes(seen: readonly Seen[]): void {
    const decoded = decodeVp8(
      seen.map((s) => s.frame.data),
      LAYERS[seen[0]!.layer]!,
    );
    expect(decoded.length).toBe(seen.length);
    decoded.forEach((d, j) => {
      const layer = LAYERS[seen[j]!.layer]!;
      expect({ width: d.width, height: d.height }).toEqual({ width: layer.width, height: layer.height });
    });
  }

  it('two receivers with different caps get different layers; a cap change, loss and PLI are handled', async () => {
    const sender = join('va', { layers: LAYERS });
    // The wide receiver waits up to 1.5 s for a retransmission (default 300 ms) so that a CI machine busy with other
    // test files does not turn a slow repair into a dropped frame; the repair itself is what is checked.
    const wide = join('vb', { maxReceiveBitrate: 8_000_000, assembler: { maxWaitMs: 1500 } });
    const narrow = join('vc', { maxReceiveBitrate: 350_000 });
    await sender.connect();
    await wide.connect();
    await narrow.connect();
    expect(sender.videoLayers.map((l) => l.layer.rid)).toEqual(['25', '50', '100']);
    const atWide = collect(wide);
    const atNarrow = collect(narrow);

    // The pump: one picture per layer every 1/FPS s, same timestamp on every layer. A keyframe request makes every
    // layer jump to the next keyframe picture (the app "encodes a keyframe now").
    const requests: { rid: string; reason: string }[] = [];
    const jumps: number[] = [];
    let index = 0;
    let sent = 0;
    let jumpPending = false;
    sender.on('keyframeRequested', (r) => {
      requests.push(r);
      jumpPending = true;
    });
    const pump = setInterval(() => {
      if (jumpPending && index % KEYINT !== 0) {
        index = Math.ceil(index / KEYINT) * KEYINT;
        jumps.push(index);
      }
      jumpPending = false;
      if (index >= FRAMES) return;
      for (const [l, layer] of LAYERS.entries()) {
        sender.sendVideoFrame(encoded[l]!.frames[index]!.data, { rid: layer.rid, timestamp: sent * (90_000 / FPS) });
      }
      index++;
      sent++;
    }, 1000 / FPS);

    try {
      // 1. Different caps, different layers.
      const last = (seen: Seen[], n: number) => seen.slice(-n);
      await waitFor(() => last(atWide, 8).filter((s) => s.layer === 2).length === 8, 15_000, 'wide receiver on 720p');
      await waitFor(() => last(atNarrow, 8).filter((s) => s.layer === 0).length === 8, 15_000, 'narrow on 180p');
      expect(atWide.find((s) => s.frame.size)?.frame.size).toBeTruthy();
      expect(last(atWide, 1)[0]!.frame.userId).toBe('va');

      // 2. A higher cap for the narrow receiver: it moves up to the middle layer, starting on a keyframe.
      const beforeSwitch = atNarrow.length;
      narrow.setMaxReceiveBitrate(1_400_000);
      await waitFor(
        () => atNarrow.slice(beforeSwitch).filter((s) => s.layer === 1).length >= 5,
        15_000,
        'narrow receiver on 360p',
      );
      const firstUp = atNarrow.slice(beforeSwitch).find((s) => s.layer === 1)!;
      expect(firstUp.keyframe).toBe(true);
      expect(firstUp.frame.size).toEqual({ width: 640, height: 360 });

      // 3. Loss on the SFU → wide receiver leg: every 7th original video packet (PT 103) vanishes; RTX (PT 104) passes.
      const wideState = wide.state;
      if (wideState.code !== 'ready') throw new Error(`wide receiver is ${wideState.code}`);
      const widePort = wideState.udp.socket.address().port;
      const sfu = (server as unknown as { sfu: { send: UdpSend } }).sfu;
      const send = sfu.send;
      let dropped = 0;
      let toWide = 0;
      sfu.send = (packet, port, address) => {
        if (port === widePort && (packet[1]! & 0x7f) === 103 && ++toWide % 7 === 0) {
          dropped++;
          return;
        }
        send(packet, port, address);
      };
      const statsBefore = wide.videoStats!;
      const framesBefore = atWide.length;
      try {
        await waitFor(() => atWide.length >= framesBefore + 30, 15_000, '30 frames through the lossy leg');
      } finally {
        sfu.send = send;
      }
      const statsAfter = wide.videoStats!;
      expect(dropped).toBeGreaterThan(10);
      expect(statsAfter.nacksSent).toBeGreaterThan(statsBefore.nacksSent);
      expect(statsAfter.rtxReceived - statsBefore.rtxReceived).toBeGreaterThan(0);
      // Every frame completed: none given up, and the pictures follow each other without a hole.
      expect(statsAfter.framesDropped).toBe(statsBefore.framesDropped);
      expectContinuous(atWide.slice(framesBefore - 1), false);

      // 4. The wide receiver asks for a keyframe: the sender is asked (through the SFU), jumps to a keyframe, and that
      // very picture reaches the receiver.
      const requestsBefore = requests.length;
      const jumpsBefore = jumps.length;
      await waitFor(() => index % KEYINT > 2 && index % KEYINT < KEYINT - 10, 10_000, 'mid-GOP');
      wide.requestKeyframe('va');
      await waitFor(() => jumps.length > jumpsBefore, 10_000, 'keyframe request at the sender');
      expect(requests.slice(requestsBefore).some((r) => r.rid === '100')).toBe(true);
      const forced = jumps[jumpsBefore]!;
      await waitFor(
        () => atWide.some((s) => s.keyframe && s.layer === 2 && s.index === forced),
        10_000,
        'forced keyframe',
      );
    } finally {
      clearInterval(pump);
    }

    // 5. Everything each receiver got is one continuous, decodable stream at the layer sizes.
    expectContinuous(atWide);
    expectContinuous(atNarrow);
    expectDecodes(atWide);
    expectDecodes(atNarrow);
    expect(new Set(atNarrow.map((s) => s.layer))).toEqual(new Set([0, 1]));

    sender.disconnect();
    wide.disconnect();
    narrow.disconnect();
  }, 90_000);
});
