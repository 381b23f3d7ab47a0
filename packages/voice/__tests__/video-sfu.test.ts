// The SFU's video plane in-process: simulcast layer selection (REMB, op 15), switching on keyframes only with PLIs
// generated and rate-limited, per-receiver sequence/timestamp rewriting, payload type rewriting, NACK → RTX from the
// retransmission cache, receiver PLI forwarding, mute, camera off, positional rooms, and every encryption mode.
import { describe, expect, it } from 'vitest';
import { ENCRYPTION_MODES } from '../src/crypto/modes.js';
import { generateSecretKey, type OpenedRtp, PacketCipher } from '../src/crypto/PacketCipher.js';
import { PacketError } from '../src/errors.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import type { CodecEntry } from '../src/video/codecs.js';
import { buildNack, buildPli, buildRemb } from '../src/video/rtcpFeedback.js';
import { KEYFRAME_REQUEST_INTERVAL_MS } from '../src/video/VideoRouter.js';
import { Camera, Harness, layerOf, THREE_LAYERS } from './video-sfu-harness.js';

const OTHER_TABLE: CodecEntry[] = [
  { name: 'opus', type: 'audio', priority: 1000, payloadType: 120, rtxPayloadType: null },
  { name: 'VP8', type: 'video', priority: 1000, payloadType: 96, rtxPayloadType: 97 },
];

function setup(mode?: ConstructorParameters<typeof Harness>[0]) {
  const h = new Harness(mode);
  const sender = h.member('sender', { layers: THREE_LAYERS });
  const a = h.member('a', { codecs: OTHER_TABLE });
  const b = h.member('b');
  h.announce(sender);
  const camera = new Camera(h, sender);
  return { h, sender, a, b, camera, video: sender.media.video! };
}

function sequences(packets: OpenedRtp[]): number[] {
  return packets.map((p) => p.sequence);
}

function expectContinuous(packets: OpenedRtp[]): void {
  for (let i = 1; i < packets.length; i++) {
    expect((packets[i]!.sequence - packets[i - 1]!.sequence) & 0xffff, `seq step at ${i}`).toBe(1);
    const step = (packets[i]!.timestamp - packets[i - 1]!.timestamp) >>> 0;
    expect(step, `timestamp step at ${i}`).toBeLessThan(0x80000000);
  }
}

describe('video SFU: layers', () => {
  it('forwards one layer under the sender video SSRC, with each receiver its own payload type', () => {
    const { sender, a, b, camera, video, h } = setup();
    camera.run(5, [0, 1, 2]);
    const ra = a.take().rtp;
    const rb = b.take().rtp;
    // No estimate, no wish: the best layer, from its first keyframe on.
    expect(ra.length).toBe(5 * 6);
    expect(new Set(ra.map(layerOf))).toEqual(new Set([0]));
    expect(new Set(ra.map((p) => p.ssrc))).toEqual(new Set([video.videoSsrc]));
    expect(new Set(ra.map((p) => p.payloadType))).toEqual(new Set([96]));
    expect(new Set(rb.map((p) => p.payloadType))).toEqual(new Set([103]));
    expect(rb.length).toBe(ra.length);
    expectContinuous(ra);
    expect(h.sfu.stats.video.forwarded).toBe(60);
    // The sender gets nothing of its own video.
    expect(sender.take().rtp).toEqual([]);
  });

  it('waits for a keyframe before the first packet, asking the sender with one PLI per interval', () => {
    const { sender, a, camera, video, h } = setup();
    camera.run(3);
    expect(a.take().rtp).toEqual([]);
    const plis = sender.take().feedback;
    expect(plis).toEqual([{ kind: 'pli', sender: 0, media: video.layers[0]!.ssrc }]);
    expect(h.sfu.stats.video.plisSent).toBe(1);
    expect(h.sfu.stats.video.plisThrottled).toBeGreaterThan(0);
    h.now += KEYFRAME_REQUEST_INTERVAL_MS;
    camera.run(1);
    expect(sender.take().feedback).toHaveLength(1);
    camera.frame([0]);
    expect(a.take().rtp.map(layerOf)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('chooses the layer by the receiver REMB estimate (less audio) and by op 15', () => {
    const { a, b, camera, video } = setup();
    camera.run(20, [0, 1, 2]); // ~660 ms: every layer's bitrate is measured
    a.take();
    b.take();
    a.sendRtcp(buildRemb(a.media.ssrc, 700_000, []));
    b.sendRtcp(buildRemb(b.media.ssrc, 300_000, []));
    // The frame with the keyframes: layer 0 up to the target layer's keyframe, then the target layer.
    camera.frame([0, 1, 2]);
    expect(a.take().rtp.map(layerOf)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(b.take().rtp.map(layerOf)).toEqual([0, 0, 0, 0, 0, 0, 2]);
    camera.run(3);
    expect(new Set(a.take().rtp.map(layerOf))).toEqual(new Set([1]));
    expect(new Set(b.take().rtp.map(layerOf))).toEqual(new Set([2]));
    // Plenty of bandwidth, but the receiver wants at most quality 50, then nothing of this sender.
    a.sendRtcp(buildRemb(a.media.ssrc, 50_000_000, []));
    a.media.video!.wants = { any: 50, bySsrc: new Map() };
    camera.frame([0, 1, 2]);
    a.take();
    camera.run(2);
    expect(new Set(a.take().rtp.map(layerOf))).toEqual(new Set([1]));
    // Per sender (by the video SSRC it is seen under): 0 = nothing of it; `any` no longer matters for it.
    a.media.video!.wants = { any: 100, bySsrc: new Map([[video.videoSsrc, 0]]) };
    camera.run(2, [0, 1, 2]);
    expect(a.take().rtp).toEqual([]);
    a.media.video!.wants = { any: 0, bySsrc: new Map([[video.videoSsrc, 25]]) };
    camera.run(2, [0, 1, 2]);
    expect(new Set(a.take().rtp.map(layerOf))).toEqual(new Set([2]));
  });

  it('shares the receiver budget among the cameras on in the room, not counting its own', () => {
    const h = new Harness();
    const s1 = h.member('s1', { layers: THREE_LAYERS });
    const s2 = h.member('s2', { layers: THREE_LAYERS });
    const a = h.member('a', { layers: [THREE_LAYERS[0]!] });
    for (const m of [s1, s2, a]) h.announce(m);
    const c1 = new Camera(h, s1);
    const c2 = new Camera(h, s2);
    const both = (count: number, keyframes: number[] = []) => {
      for (let i = 0; i < count; i++) {
        c1.frame(i === 0 ? keyframes : []);
        h.now -= 33; // one clock tick for both cameras' frames
        c2.frame(i === 0 ? keyframes : []);
      }
    };
    both(20, [0, 1, 2]);
    // (1.5 Mbit/s - 64 kbit/s audio) / 2 cameras = 718 kbit/s each: layer 1 (~480 kbit/s + 15 %) fits. Were a's own
    // camera counted (3), it would be 479 kbit/s each: layer 2.
    a.sendRtcp(buildRemb(a.media.ssrc, 1_500_000, []));
    both(1, [0, 1, 2]);
    a.take();
    both(2);
    const got = a.take().rtp;
    expect(new Set(got.filter((p) => p.ssrc === s1.media.video!.videoSsrc).map(layerOf))).toEqual(new Set([1]));
    expect(new Set(got.filter((p) => p.ssrc === s2.media.video!.videoSsrc).map(layerOf))).toEqual(new Set([1]));
    // 2.2 Mbit/s: still 1.07 Mbit/s each, layer 1; one camera off, the whole budget (2.14) goes to the other, which
    // moves up to layer 0 (~1.7 Mbit/s + 15 %) on its next keyframe.
    a.sendRtcp(buildRemb(a.media.ssrc, 2_200_000, []));
    both(1, [0, 1, 2]);
    a.take();
    both(2);
    expect(new Set(a.take().rtp.map(layerOf))).toEqual(new Set([1]));
    h.announce(s2, null, false);
    both(1, [0]);
    a.take();
    both(2);
    expect(new Set(a.take().rtp.map(layerOf))).toEqual(new Set([0]));
  });

  it('switches only on a keyframe of the target layer, keeping sequence numbers and timestamps continuous', () => {
    const { sender, a, camera, video, h } = setup();
    camera.run(20, [0, 1, 2]);
    const before = a.take().rtp;
    expect(new Set(before.map(layerOf))).toEqual(new Set([0]));
    sender.take();
    a.sendRtcp(buildRemb(a.media.ssrc, 300_000, []));
    // Delta frames only: still layer 0, and a PLI for layer 2 went to the sender.
    camera.run(4);
    const waiting = a.take().rtp;
    expect(new Set(waiting.map(layerOf))).toEqual(new Set([0]));
    const plis = sender.take().feedback;
    expect(plis).toContainEqual({ kind: 'pli', sender: 0, media: video.layers[2]!.ssrc });
    expect(h.sfu.stats.video.layerSwitches).toBe(0);
    // A keyframe on another layer (1) does not switch either.
    camera.frame([1]);
    const notYet = a.take().rtp;
    expect(new Set(notYet.map(layerOf))).toEqual(new Set([0]));
    waiting.push(...notYet);
    // The keyframe of layer 2 does: this frame's layer 0 packets still go out, then layer 2 from its keyframe on.
    camera.frame([2]);
    const switching = a.take().rtp;
    expect(switching.map(layerOf)).toEqual([0, 0, 0, 0, 0, 0, 2]);
    camera.run(3);
    const after = [switching.at(-1)!, ...a.take().rtp];
    waiting.push(...switching.slice(0, -1));
    expect(new Set(after.map(layerOf))).toEqual(new Set([2]));
    expect(h.sfu.stats.video.layerSwitches).toBe(1);
    const all = [...before, ...waiting, ...after];
    expectContinuous(all);
    expect(sequences(all).length).toBe(new Set(sequences(all)).size);
    expect(all.every((p) => p.ssrc === video.videoSsrc)).toBe(true);
    // Across the switch the timestamp moved by about the wall-clock gap (33-66 ms at 90 kHz), not by the
    // difference between the layers' unrelated timestamp bases.
    const last = waiting.at(-1)!;
    const first = after[0]!;
    const gap = (first.timestamp - last.timestamp) >>> 0;
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(90 * 200);
    // Going back up needs a keyframe of layer 0 too.
    a.sendRtcp(buildRemb(a.media.ssrc, 50_000_000, []));
    camera.run(2);
    expect(new Set(a.take().rtp.map(layerOf))).toEqual(new Set([2]));
    camera.frame([0]);
    expect(a.take().rtp.map(layerOf)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(h.sfu.stats.video.layerSwitches).toBe(2);
  });
});

describe('video SFU: feedback', () => {
  it('answers a NACK from the cache as RTX (OSN, the receiver RTX payload type, the sender RTX SSRC), never the sender', () => {
    const { sender, a, b, camera, video, h } = setup();
    camera.run(4, [0, 1, 2]);
    const got = a.take().rtp;
    b.take();
    const lost = got[7]!;
    a.sendRtcp(buildNack(a.media.ssrc, video.videoSsrc, [lost.sequence, (lost.sequence + 1000) & 0xffff]));
    const rtx = a.take().rtp;
    expect(rtx).toHaveLength(1);
    expect(rtx[0]!.ssrc).toBe(video.layers[0]!.rtxSsrc);
    expect(rtx[0]!.payloadType).toBe(97);
    expect(rtx[0]!.timestamp).toBe(lost.timestamp);
    expect(rtx[0]!.payload.readUInt16BE(0)).toBe(lost.sequence);
    expect(Buffer.compare(rtx[0]!.payload.subarray(2), lost.payload)).toBe(0);
    expect(h.sfu.stats.video).toMatchObject({ nacksAnswered: 1, nacksMissed: 1, rtxSent: 1 });
    // Receiver b (default table) gets its RTX with PT 104.
    camera.frame();
    a.take();
    const bLatest = b.take().rtp.at(-1)!;
    b.sendRtcp(buildNack(b.media.ssrc, video.videoSsrc, [bLatest.sequence]));
    const bRtx = b.take().rtp;
    expect(bRtx.map((p) => p.payloadType)).toEqual([104]);
    expect(bRtx[0]!.payload.readUInt16BE(0)).toBe(bLatest.sequence);
    // The sender saw no NACK.
    expect(sender.take().feedback.filter((f) => f.kind === 'nack')).toEqual([]);
    // Too old: out of the 1 s cache.
    h.now += 1_500;
    a.sendRtcp(buildNack(a.media.ssrc, video.videoSsrc, [lost.sequence]));
    expect(a.take().rtp).toEqual([]);
    expect(h.sfu.stats.video.nacksMissed).toBe(2);
  });

  it('forwards a receiver PLI to the sender for the layer that receiver gets, rate-limited', () => {
    const { sender, a, b, camera, video, h } = setup();
    camera.run(20, [0, 1, 2]);
    b.sendRtcp(buildRemb(b.media.ssrc, 300_000, []));
    camera.frame([2]);
    sender.take();
    h.now += KEYFRAME_REQUEST_INTERVAL_MS;
    b.sendRtcp(buildPli(b.media.ssrc, video.videoSsrc));
    expect(sender.take().feedback).toEqual([{ kind: 'pli', sender: b.media.ssrc, media: video.layers[2]!.ssrc }]);
    expect(h.sfu.stats.video.plisForwarded).toBe(1);
    // Right after: throttled for that layer; another layer is not.
    b.sendRtcp(buildPli(b.media.ssrc, video.videoSsrc));
    a.sendRtcp(buildPli(a.media.ssrc, video.videoSsrc));
    expect(sender.take().feedback).toEqual([{ kind: 'pli', sender: a.media.ssrc, media: video.layers[0]!.ssrc }]);
    // A PLI about an SSRC that is not a video sender of the room is dropped.
    a.sendRtcp(buildPli(a.media.ssrc, 424242));
    expect(h.sfu.stats.video.dropped.feedback).toBe(1);
  });

  it('stops video for a server-muted sender and when the camera goes off', () => {
    const { sender, a, camera, h } = setup();
    camera.run(2, [0, 1, 2]);
    expect(a.take().rtp.length).toBeGreaterThan(0);
    sender.media.muted = true;
    camera.run(2, [0, 1, 2]);
    expect(a.take().rtp).toEqual([]);
    expect(h.sfu.stats.video.dropped.muted).toBeGreaterThan(0);
    sender.media.muted = false;
    h.announce(sender, null, false);
    camera.run(2, [0, 1, 2]);
    expect(a.take().rtp).toEqual([]);
    expect(h.sfu.stats.video.dropped.inactive).toBeGreaterThan(0);
    h.announce(sender);
    camera.run(2);
    expect(a.take().rtp).toEqual([]); // back on: from a keyframe
    camera.frame([0]);
    expect(a.take().rtp.length).toBe(6);
  });

  it('follows the hearing rule in a positional room (a receiver never placed gets no video)', () => {
    const { a, b, sender, camera, h } = setup();
    h.sfu.setPositional('room', { range: 10 });
    sender.media.position = { x: 0, y: 0, z: 0 };
    a.media.position = { x: 1, y: 0, z: 0 };
    camera.run(2, [0, 1, 2]);
    expect(a.take().rtp.length).toBeGreaterThan(0);
    expect(b.take().rtp).toEqual([]);
    expect(h.sfu.stats.video.dropped.outOfRange).toBeGreaterThan(0);
  });

  it('gives a MediaLeg receiver its own header copies (kept packets are not rewritten by later deliveries)', () => {
    const h = new Harness();
    const sender = h.member('sender', { layers: THREE_LAYERS });
    // The leg first in the room: UDP receivers served after it must not touch what it kept.
    const kept: { header: Buffer; payload: Buffer }[] = [];
    const leg = h.member('leg');
    leg.media.leg = { kind: 'test', sendRtp: (header, payload) => kept.push({ header, payload }), sendRtcp: () => {} };
    // After it, a receiver with other payload types (an in-place rewrite for it would show in the leg's headers).
    const a = h.member('a', { codecs: OTHER_TABLE });
    h.announce(sender);
    const camera = new Camera(h, sender);
    const video = sender.media.video!;
    camera.run(3, [0, 1, 2]);
    const udp = a.take().rtp;
    expect(kept).toHaveLength(udp.length);
    const seqs = kept.map((k) => k.header.readUInt16BE(2));
    for (let i = 1; i < seqs.length; i++) expect((seqs[i]! - seqs[i - 1]!) & 0xffff).toBe(1);
    expect(new Set(kept.map((k) => k.header.readUInt32BE(8)))).toEqual(new Set([video.videoSsrc]));
    expect(new Set(kept.map((k) => k.header[1]! & 0x7f))).toEqual(new Set([103]));
  });

  it('leaves audio alone: the member audio SSRC is forwarded as before', () => {
    const { sender, a, h } = setup();
    sender.sendRtp({ sequence: 1, timestamp: 960, ssrc: sender.media.ssrc }, Buffer.alloc(40, 1));
    const got = a.take().rtp;
    expect(got.map((p) => [p.ssrc, p.sequence, p.payloadType])).toEqual([[sender.media.ssrc, 1, 120]]);
    expect(h.sfu.stats.forwarded).toBe(2);
    expect(h.sfu.stats.video.received).toBe(0);
  });
});

describe('video SFU: every encryption mode, header extensions kept', () => {
  for (const mode of ENCRYPTION_MODES) {
    it(mode, () => {
      const h = new Harness(mode);
      const sender = h.member('s', { layers: THREE_LAYERS });
      const a = h.member('a');
      h.announce(sender);
      const extension = { profile: 0xbede, body: Buffer.from([0x10, 0x7f, 0x00, 0x00, 0x22, 0x01, 0x02, 0x03]) };
      const camera = new Camera(h, sender, 103, extension);
      camera.run(3, [0, 1, 2]);
      const got = a.take().rtp;
      expect(got).toHaveLength(18);
      for (const p of got) {
        expect(p.extension?.profile).toBe(0xbede);
        expect(Buffer.compare(p.extension!.body, extension.body)).toBe(0);
        expect(layerOf(p)).toBe(0);
      }
      expectContinuous(got);
    });
  }
});

describe('PacketCipher with several SSRCs under one key (sequence-number modes)', () => {
  for (const mode of ['xsalsa20_poly1305', 'xsalsa20_poly1305_suffix'] as const) {
    it(`${mode}: each SSRC has its own replay window, and replays are still refused`, () => {
      const key = generateSecretKey();
      const tx = new PacketCipher(mode, key);
      const rx = new PacketCipher(mode, key);
      const sealed: Buffer[] = [];
      // Audio at sequence 10, video layers at unrelated sequence numbers, interleaved.
      for (let i = 0; i < 20; i++) {
        for (const [ssrc, base] of [
          [1, 10],
          [2, 40_000],
          [3, 65_000],
        ] as const) {
          const header = buildRtpHeader({ sequence: (base + i) & 0xffff, timestamp: 960 * i, ssrc });
          sealed.push(tx.seal(header, Buffer.alloc(20, i)));
        }
      }
      // Every packet opens (with one window for all, the second SSRC's sequence numbers made the first's look stale).
      sealed.forEach((packet, i) => {
        expect(rx.open(packet).payload[0]).toBe(Math.floor(i / 3));
      });
      for (const packet of [sealed[5]!, sealed[30]!]) {
        expect(() => rx.open(packet)).toThrow(PacketError);
      }
    });
  }
});
