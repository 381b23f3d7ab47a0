// Every video decoder of untrusted input, fuzzed with a resource budget per case (budget.ts): RTCP feedback (NACK,
// PLI, FIR, REMB), keyframe detection per codec, the video signalling parsers (Identify streams, codecs, op 12, op 15),
// and the Sfu as a whole fed hostile video RTP and feedback from a member with video. Round trips for the builders.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketError } from '../src/errors.js';
import { Refusal } from '../src/server/payloads.js';
import { isAv1Keyframe, isH264Keyframe, isVp8Keyframe, isVp9Keyframe } from '../src/video/keyframe.js';
import { RetransmissionCache } from '../src/video/RetransmissionCache.js';
import {
  buildFir,
  buildNack,
  buildPli,
  buildRemb,
  hasFeedback,
  MAX_NACKED,
  parseFeedback,
} from '../src/video/rtcpFeedback.js';
import {
  MAX_STREAMS,
  parseCodecs,
  parseIdentifyStreams,
  parseSinkWants,
  parseVideo,
} from '../src/video/videoPayloads.js';
import { withinBudget } from './budget.js';
import { Camera, Harness, THREE_LAYERS } from './video-sfu-harness.js';

const MAX = 4096;
const RUNS = { numRuns: 300 };

/** Compound RTCP made of feedback-shaped packets whose counts, FMTs and length fields lie independently. */
const lyingFeedback = fc
  .array(
    fc.record({
      version: fc.constantFrom(2, 2, 2, 0),
      padding: fc.boolean(),
      fmt: fc.constantFrom(1, 4, 15, 0, 31),
      type: fc.constantFrom(205, 206, 206, 201, 200),
      words: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffff })),
      remb: fc.boolean(),
      body: fc.uint8Array({ maxLength: 512 }),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((packets) => {
    const parts = packets.map((p) => {
      const out = Buffer.alloc(12 + p.body.length);
      out[0] = (p.version << 6) | (p.padding ? 0x20 : 0) | p.fmt;
      out[1] = p.type;
      out.writeUInt16BE(p.words, 2);
      out.set(p.body, 12);
      if (p.remb && out.length >= 20) out.write('REMB', 12, 'latin1');
      return out;
    });
    return new Uint8Array(Buffer.concat(parts).subarray(0, MAX));
  });

describe('RTCP feedback parser', () => {
  it('returns feedback that fits the datagram or throws a PacketError, within budget', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: MAX }), lyingFeedback), (packet) => {
        let parsed: ReturnType<typeof parseFeedback> | null = null;
        const thrown = withinBudget(packet, () => {
          hasFeedback(packet);
          parsed = parseFeedback(packet);
        });
        if (thrown !== undefined) expect(thrown).toBeInstanceOf(PacketError);
        if (parsed === null) return;
        const items = parsed as ReturnType<typeof parseFeedback>;
        let nacked = 0;
        for (const item of items) {
          if (item.kind === 'nack') nacked += item.lost.length;
          if (item.kind === 'fir') expect(item.entries.length * 8).toBeLessThanOrEqual(packet.length);
          if (item.kind === 'remb') expect(item.ssrcs.length * 4).toBeLessThanOrEqual(packet.length);
        }
        expect(nacked).toBeLessThanOrEqual(MAX_NACKED);
        expect(items.length * 12).toBeLessThanOrEqual(packet.length);
      }),
      RUNS,
    );
  });

  it('round-trips NACK, PLI, FIR and REMB', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 200 }),
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 0xffffffff }),
        fc.double({ min: 0, max: 1e10, noNaN: true }),
        fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 20 }),
        (lost, sender, media, bitrate, ssrcs) => {
          const compound = Buffer.concat([
            buildNack(sender, media, lost),
            buildPli(sender, media),
            buildFir(sender, media, 7),
            buildRemb(sender, bitrate, ssrcs),
          ]);
          const [nack, pli, fir, remb] = parseFeedback(compound);
          expect(nack).toEqual({ kind: 'nack', sender, media, lost: expect.any(Array) });
          expect(new Set((nack as { lost: number[] }).lost)).toEqual(new Set(lost));
          expect(pli).toEqual({ kind: 'pli', sender, media });
          expect(fir).toEqual({ kind: 'fir', sender, entries: [{ ssrc: media, seq: 7 }] });
          expect(remb).toMatchObject({ kind: 'remb', sender, ssrcs });
          const got = (remb as { bitrate: number }).bitrate;
          expect(got).toBeLessThanOrEqual(Math.floor(bitrate));
          expect(got).toBeGreaterThanOrEqual(Math.floor(bitrate) * (1 - 2 ** -17) - 1);
        },
      ),
      RUNS,
    );
  });
});

describe('keyframe detection', () => {
  it('answers a boolean for any payload, within budget', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX }), (payload) => {
        const thrown = withinBudget(payload, () => {
          for (const f of [isVp8Keyframe, isH264Keyframe, isVp9Keyframe, isAv1Keyframe]) {
            expect(typeof f(payload)).toBe('boolean');
          }
        });
        expect(thrown).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('knows the keyframe markers of each codec', () => {
    expect(isVp8Keyframe(Uint8Array.of(0x10, 0x00, 0x9d))).toBe(true);
    expect(isVp8Keyframe(Uint8Array.of(0x10, 0x01, 0x9d))).toBe(false);
    expect(isVp8Keyframe(Uint8Array.of(0x00, 0x00, 0x9d))).toBe(false); // not the frame's first packet
    // X=1, I=1 with a 15-bit picture ID, then the frame header.
    expect(isVp8Keyframe(Uint8Array.of(0x90, 0x80, 0x81, 0x23, 0x00))).toBe(true);
    expect(isH264Keyframe(Uint8Array.of(0x65, 0x88))).toBe(true); // IDR
    expect(isH264Keyframe(Uint8Array.of(0x41, 0x9a))).toBe(false); // non-IDR slice
    expect(isH264Keyframe(Uint8Array.of(0x7c, 0x85))).toBe(true); // FU-A start of an IDR
    expect(isH264Keyframe(Uint8Array.of(0x7c, 0x05))).toBe(false); // FU-A middle
    expect(isH264Keyframe(Uint8Array.of(0x78, 0x00, 0x02, 0x67, 0x42))).toBe(true); // STAP-A with an SPS
    expect(isH264Keyframe(Uint8Array.of(0x78, 0xff, 0xff, 0x67))).toBe(false); // STAP-A with a lying size
    expect(isVp9Keyframe(Uint8Array.of(0x08))).toBe(true);
    expect(isVp9Keyframe(Uint8Array.of(0x48))).toBe(false);
    expect(isAv1Keyframe(Uint8Array.of(0x18))).toBe(true);
  });
});

describe('video signalling parsers', () => {
  const json = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.record({
      streams: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 8 }),
      video: fc.boolean(),
      codecs: fc.array(
        fc.record({
          name: fc.constantFrom('VP8', 'H264', 'opus', 'x'.repeat(40)),
          type: fc.constantFrom('audio', 'video', 'data'),
          priority: fc.integer({ min: -5, max: 2_000_000 }),
          payload_type: fc.integer({ min: 0, max: 300 }),
          rtx_payload_type: fc.option(fc.integer({ min: 90, max: 130 })),
        }),
        { maxLength: 20 },
      ),
      video_ssrc: fc.constantFrom(0, 10, 11, 99),
      rtx_ssrc: fc.constantFrom(0, 20, 21),
      any: fc.oneof(fc.integer({ min: -1, max: 101 }), fc.string()),
    }),
  );
  const allocated = [
    { ssrc: 10, rtxSsrc: 20 },
    { ssrc: 11, rtxSsrc: 21 },
  ];

  it('return data within bounds or a Refusal, never throw, within budget', () => {
    fc.assert(
      fc.property(json, (d) => {
        const text = JSON.stringify(d) ?? '';
        const thrown = withinBudget(text, () => {
          const obj = typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
          const streams = parseIdentifyStreams(obj);
          if (streams && !(streams instanceof Refusal)) expect(streams.length).toBeLessThanOrEqual(MAX_STREAMS);
          const codecs = parseCodecs(obj.codecs);
          if (codecs && !(codecs instanceof Refusal)) {
            const pts = codecs.flatMap((c) => [
              c.payloadType,
              ...(c.rtxPayloadType === null ? [] : [c.rtxPayloadType]),
            ]);
            expect(new Set(pts).size).toBe(pts.length);
            for (const pt of pts) expect(pt >= 96 && pt <= 127).toBe(true);
          }
          const video = parseVideo(d, 5, allocated);
          if (!(video instanceof Refusal)) {
            expect([0, 10]).toContain(video.video_ssrc);
            expect([0, 20]).toContain(video.rtx_ssrc);
            for (const s of video.streams) expect(allocated).toContainEqual({ ssrc: s.ssrc, rtxSsrc: s.rtx_ssrc });
          }
          const wants = parseSinkWants(d);
          if (!(wants instanceof Refusal)) {
            for (const q of [wants.any ?? 0, ...wants.bySsrc.values()]) expect(q >= 0 && q <= 100).toBe(true);
          }
        });
        expect(thrown).toBeUndefined();
      }),
      RUNS,
    );
  });
});

describe('retransmission cache', () => {
  it('gives back exactly the last 512 packets put, by sequence number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 2000 }), (start, count) => {
        const cache = new RetransmissionCache();
        for (let i = 0; i < count; i++) {
          cache.put((start + i) & 0xffff, i, false, 103, Buffer.of(i & 0xff), 0);
        }
        for (let i = 0; i < count; i++) {
          const got = cache.get((start + i) & 0xffff, 0);
          if (i >= count - 512) expect(got?.timestamp).toBe(i);
          else expect(got === null || got.timestamp !== i).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('Sfu with video members under hostile input', () => {
  it('never throws on lying feedback and random video RTP; counters stay consistent', () => {
    const h = new Harness();
    const sender = h.member('s', { layers: THREE_LAYERS });
    // With a codec table, so that its RTCP takes the video path (token bucket, feedback parsing).
    const receiver = h.member('r', {
      codecs: [{ name: 'VP8', type: 'video', priority: 1, payloadType: 96, rtxPayloadType: 97 }],
    });
    h.announce(sender);
    const camera = new Camera(h, sender);
    camera.run(2, [0, 1, 2]);
    const layers = sender.media.video!.layers;
    // Well-formed feedback about the sender (or a stranger), mixed with lying compounds.
    const wellFormed = fc
      .tuple(
        fc.constantFrom(layers[0]!.ssrc, layers[1]!.ssrc, 77),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 40 }),
        fc.nat({ max: 10_000_000 }),
      )
      .map(([media, lost, bitrate]) =>
        Uint8Array.from(
          Buffer.concat([
            buildNack(0, media, lost),
            buildPli(0, media),
            buildFir(0, media, 1),
            buildRemb(0, bitrate, [media]),
          ]),
        ),
      );
    fc.assert(
      fc.property(
        fc.oneof(lyingFeedback, wellFormed),
        fc.constantFrom(...layers.map((l) => l.ssrc), layers[0]!.rtxSsrc),
        fc.integer({ min: 0, max: 127 }),
        fc.uint8Array({ maxLength: 1500 }),
        (feedback, ssrc, pt, payload) => {
          const thrown = withinBudget(Buffer.concat([feedback, payload]), () => {
            if (feedback.length >= 8) {
              const packet = Buffer.from(feedback);
              // Version 2 in front (anything else is counted as garbage before any parsing), the reporter's SSRC.
              packet[0] = 0x80 | (packet[0]! & 0x3f);
              packet.writeUInt32BE(receiver.media.ssrc, 4);
              receiver.sendRtcp(packet);
            }
            sender.sendRtp(
              { sequence: h.now & 0xffff, timestamp: h.now * 90, ssrc, payloadType: pt },
              Buffer.from(payload),
            );
            h.now += 7;
            receiver.take();
            sender.take();
          });
          expect(thrown).toBeUndefined();
        },
      ),
      RUNS,
    );
    const s = h.sfu.stats;
    // `garbage` also counts exceptions that are not PacketErrors (bugs): there must be none.
    expect(s.dropped.garbage).toBe(0);
    expect(s.video.received).toBeGreaterThan(0);
    expect(s.video.dropped.feedback + s.video.nacksMissed + s.video.estimates).toBeGreaterThan(0);
    expect(s.video.forwarded).toBeLessThanOrEqual(s.video.received);
    expect(s.video.rtxSent).toBe(s.video.nacksAnswered);
  });
});
