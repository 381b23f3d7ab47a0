// VP8 and H.264 RTP payload formats, RTX, and the frame assembler (reordering, loss, keyframe recovery), with
// fast-check properties: round trips, and every depacketizer within the resource budget of budget.ts on hostile input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameAssembler } from '../src/video/rtp/FrameAssembler.js';
import {
  depacketizeH264,
  H264Payloader,
  isH264FrameStart,
  isH264Keyframe,
  splitAnnexB,
} from '../src/video/rtp/h264.js';
import { unwrapRtx, wrapRtx } from '../src/video/rtp/rtx.js';
import { h264Depacketizer, vp8Depacketizer } from '../src/video/rtp/VideoDepacketizer.js';
import { VideoRtpError } from '../src/video/rtp/VideoRtpError.js';
import {
  depacketizeVp8,
  isVp8FrameStart,
  isVp8Keyframe,
  parseVp8Descriptor,
  Vp8Payloader,
  vp8FrameSize,
} from '../src/video/rtp/vp8.js';
import { budgetFor, measure, withinBudget } from './budget.js';

const RUNS = { numRuns: 300 };

/** A fake VP8 frame: a keyframe header (P=0, start code, size) or an interframe (P=1), then random bytes. */
function vp8Frame(key: boolean, length: number, width = 320, height = 180): Buffer {
  const frame = Buffer.alloc(Math.max(10, length), 0x55);
  frame[0] = key ? 0x10 : 0x11;
  if (key) {
    frame.set([0x9d, 0x01, 0x2a], 3);
    frame.writeUInt16LE(width, 6);
    frame.writeUInt16LE(height, 8);
  }
  return frame;
}

interface Packet {
  sequence: number;
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
}

/** Frames packetized as RTP would carry them: consecutive sequence numbers from `firstSeq` (wrapping at 2^16). */
function packetizeFrames(frames: Buffer[], firstSeq: number, maxPayload = 200): Packet[] {
  const payloader = new Vp8Payloader(7);
  const out: Packet[] = [];
  let seq = firstSeq;
  frames.forEach((frame, i) => {
    const payloads = payloader.packetize(frame, maxPayload);
    payloads.forEach((payload, j) => {
      out.push({ sequence: seq & 0xffff, timestamp: 3000 * i, marker: j === payloads.length - 1, payload });
      seq++;
    });
  });
  return out;
}

describe('VP8 payload format (RFC 7741)', () => {
  it('payloader → depacketizer round-trips frames, with S on the first packet and a 15-bit PictureID per frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.integer({ min: 5, max: 1400 }), (bytes, max) => {
        const payloader = new Vp8Payloader(0x7ffe);
        const payloads = payloader.packetize(bytes, max);
        expect(payloads.every((p) => p.length <= max)).toBe(true);
        expect(isVp8FrameStart(payloads[0]!)).toBe(true);
        expect(payloads.slice(1).some((p) => isVp8FrameStart(p))).toBe(false);
        expect(parseVp8Descriptor(payloads[0]!).pictureId).toBe(0x7ffe);
        expect(Buffer.compare(depacketizeVp8(payloads), Buffer.from(bytes))).toBe(0);
        // The next frame's PictureID wraps at 15 bits.
        expect(parseVp8Descriptor(payloader.packetize(bytes, max)[0]!).pictureId).toBe(0x7fff);
        expect(parseVp8Descriptor(payloader.packetize(bytes, max)[0]!).pictureId).toBe(0);
      }),
      RUNS,
    );
  });

  it('reads keyframes from the VP8 payload header and the size from a keyframe', () => {
    const [key] = new Vp8Payloader().packetize(vp8Frame(true, 50, 640, 360), 1000);
    const [inter] = new Vp8Payloader().packetize(vp8Frame(false, 50), 1000);
    expect(isVp8Keyframe(key!)).toBe(true);
    expect(isVp8Keyframe(inter!)).toBe(false);
    expect(vp8FrameSize(vp8Frame(true, 50, 640, 360))).toEqual({ width: 640, height: 360 });
    expect(vp8FrameSize(vp8Frame(false, 50))).toBeNull();
  });

  it('parses every optional descriptor field (I with 7 and 15 bits, L, T/K)', () => {
    expect(parseVp8Descriptor(Uint8Array.of(0x90, 0xe0, 0x12, 0x05, 0x40, 0xaa))).toMatchObject({
      length: 5,
      partitionStart: true,
      pictureId: 0x12,
      tl0PicIdx: 5,
      temporalId: 1,
    });
    expect(parseVp8Descriptor(Uint8Array.of(0x10, 0xaa)).length).toBe(1);
    expect(() => parseVp8Descriptor(Uint8Array.of(0x80, 0xf0, 0x80))).toThrow(VideoRtpError);
  });

  it('hostile descriptors: a VideoRtpError or a descriptor inside the payload, within budget', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        let length = 0;
        const thrown = withinBudget(bytes, () => {
          length = parseVp8Descriptor(bytes).length;
          depacketizeVp8([bytes, bytes]);
          isVp8Keyframe(bytes);
        });
        if (thrown !== undefined) expect(thrown).toBeInstanceOf(VideoRtpError);
        else expect(length).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 500 },
    );
  });
});

/** Annex B access units of random NAL units (header byte with F=0, a type 1-23, and a body). */
const accessUnit = fc
  .array(
    fc.record({
      type: fc.integer({ min: 1, max: 23 }),
      nri: fc.integer({ min: 0, max: 3 }),
      body: fc.uint8Array({ maxLength: 3000 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((nals) =>
    nals.map((n) => {
      // No emulated start codes inside a body (an encoder inserts emulation prevention bytes).
      const body = Buffer.from(n.body).map((b) => (b === 0 ? 1 : b));
      return Buffer.concat([Buffer.of((n.nri << 5) | n.type), body]);
    }),
  );

describe('H.264 payload format (RFC 6184, mode 1)', () => {
  it('single NAL, STAP-A and FU-A packets round-trip an access unit', () => {
    fc.assert(
      fc.property(accessUnit, fc.integer({ min: 3, max: 1400 }), (nals, max) => {
        const annexB = Buffer.concat(nals.flatMap((n) => [Buffer.of(0, 0, 0, 1), n]));
        const payloads = new H264Payloader().packetize(annexB, max);
        expect(payloads.every((p) => p.length <= max)).toBe(true);
        expect(isH264FrameStart(payloads[0]!)).toBe(true);
        const back = depacketizeH264(payloads);
        expect(splitAnnexB(back).map((n) => Buffer.from(n).toString('hex'))).toEqual(
          nals.map((n) => n.toString('hex')),
        );
        expect(payloads.some((p) => isH264Keyframe(p))).toBe(nals.some((n) => (n[0]! & 0x1f) === 5));
      }),
      RUNS,
    );
  });

  it('uses each packet kind where it fits', () => {
    const sps = Buffer.of(0x67, 1, 2, 3);
    const pps = Buffer.of(0x68, 4, 5);
    const idr = Buffer.concat([Buffer.of(0x65), Buffer.alloc(2500, 7)]);
    const au = Buffer.concat([Buffer.of(0, 0, 0, 1), sps, Buffer.of(0, 0, 1), pps, Buffer.of(0, 0, 0, 1), idr]);
    const payloads = new H264Payloader().packetize(au, 1000);
    expect(payloads[0]![0]! & 0x1f).toBe(24);
    expect(payloads.slice(1).every((p) => (p[0]! & 0x1f) === 28)).toBe(true);
    expect(isH264Keyframe(payloads[1]!)).toBe(true);
    expect(isH264Keyframe(payloads[2]!)).toBe(false);
    expect(() => depacketizeH264(payloads.slice(2))).toThrow(VideoRtpError);
  });

  it('hostile payloads: a VideoRtpError or Annex B output bounded by the input, within budget', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 1500 }), { maxLength: 4 }), (payloads) => {
        const size = payloads.reduce((n, p) => n + p.length, 0);
        let out: Buffer | null = null;
        const thrown = withinBudget({ length: size }, () => {
          for (const p of payloads) isH264Keyframe(p);
          out = depacketizeH264(payloads);
        });
        if (thrown !== undefined) expect(thrown).toBeInstanceOf(VideoRtpError);
        else expect(out!.length).toBeLessThanOrEqual(size + (4 * size) / 3 + 8);
      }),
      { numRuns: 500 },
    );
  });
});

describe('RTX (RFC 4588)', () => {
  it('wraps and unwraps the original sequence number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 1, maxLength: 1500 }), (seq, p) => {
        const back = unwrapRtx(wrapRtx(seq, p));
        expect(back.sequence).toBe(seq);
        expect(Buffer.from(back.payload).equals(Buffer.from(p))).toBe(true);
      }),
      RUNS,
    );
    expect(() => unwrapRtx(Uint8Array.of(1, 2))).toThrow(VideoRtpError);
  });
});

describe('FrameAssembler', () => {
  const frames = [vp8Frame(true, 900), ...Array.from({ length: 9 }, (_, i) => vp8Frame(false, 300 + 50 * i))];

  function run(packets: Packet[], assembler = new FrameAssembler(vp8Depacketizer), now = 0) {
    const out: Buffer[] = [];
    const lost: number[] = [];
    let keyframeNeeded = false;
    for (const p of packets) {
      const r = assembler.push(p, now);
      out.push(...r.frames.map((f) => f.data));
      lost.push(...r.lost);
      keyframeNeeded ||= r.keyframeNeeded;
    }
    return { out, lost, keyframeNeeded, assembler };
  }

  it('rebuilds every frame in order from shuffled, duplicated packets across a sequence wrap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer(), (firstSeq, seed) => {
        const packets = packetizeFrames(frames, firstSeq);
        // Shuffle within a small window (network reordering) and duplicate a few.
        const shuffled = [...packets];
        let rnd = seed;
        for (let i = 1; i < shuffled.length; i++) {
          rnd = (rnd * 1103515245 + 12345) | 0;
          const j = Math.max(0, i - (Math.abs(rnd) % 4));
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        shuffled.splice(5, 0, shuffled[3]!);
        // The first packet must come first: before it the assembler does not know where the stream starts.
        const first = shuffled.indexOf(packets[0]!);
        shuffled.splice(first, 1);
        shuffled.unshift(packets[0]!);
        const { out } = run(shuffled);
        expect(out.map((f) => f.toString('hex'))).toEqual(frames.map((f) => f.toString('hex')));
      }),
      { numRuns: 100 },
    );
  });

  it('reports a gap as lost, holds later frames until the retransmission fills it, then emits them in order', () => {
    const packets = packetizeFrames(frames, 65530);
    const missing = packets[10]!;
    const { out, lost, assembler } = run(packets.filter((p) => p !== missing));
    expect(lost).toEqual([missing.sequence]);
    expect(assembler.missing()).toEqual([missing.sequence]);
    const before = out.length;
    const late = assembler.push(missing, 10);
    expect(before + late.frames.length).toBe(frames.length);
    expect([...out, ...late.frames.map((f) => f.data)].map((f) => f.length)).toEqual(frames.map((f) => f.length));
  });

  it('gives up a frame whose packet never comes, drops frames until a keyframe and asks for one', () => {
    const withKey = [...frames, vp8Frame(true, 700), vp8Frame(false, 200)];
    const packets = packetizeFrames(withKey, 100);
    const lostIndex = packets.findIndex((p) => p.timestamp === 3000 * 3) + 1;
    const assembler = new FrameAssembler(vp8Depacketizer, { maxWaitMs: 50 });
    const { out } = run(
      packets.filter((_, i) => i !== lostIndex),
      assembler,
      0,
    );
    expect(out.length).toBe(3);
    const late = assembler.poll(100);
    expect(late.keyframeNeeded).toBe(true);
    // Frames 3-9 are gone (3 lost a packet, 4-9 reference it); the keyframe and what follows come out.
    expect(late.frames.map((f) => f.keyframe)).toEqual([true, false]);
    expect(assembler.stats.dropped).toBeGreaterThanOrEqual(2);
  });

  it('drops frames before the first keyframe (a receiver joining mid-stream)', () => {
    const packets = packetizeFrames([vp8Frame(false, 300), vp8Frame(false, 300), vp8Frame(true, 300)], 1);
    const { out, keyframeNeeded } = run(packets);
    expect(out.length).toBe(1);
    expect(keyframeNeeded).toBe(true);
  });

  it('H.264 frames assemble with FU-A across packets', () => {
    const idr = Buffer.concat([Buffer.of(0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x65), Buffer.alloc(3000, 9)]);
    const payloads = new H264Payloader().packetize(idr, 1000);
    const assembler = new FrameAssembler(h264Depacketizer);
    let emitted = 0;
    payloads.forEach((payload, i) => {
      const r = assembler.push({ sequence: i, timestamp: 90, marker: i === payloads.length - 1, payload }, 0);
      emitted += r.frames.length;
      if (r.frames[0]) expect(r.frames[0].keyframe).toBe(true);
    });
    expect(emitted).toBe(1);
  });

  it('hostile packet streams stay within the packet bound and the budget', () => {
    const packet = fc.record({
      sequence: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0xffff })),
      timestamp: fc.integer({ min: 0, max: 5 }),
      marker: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 200 }), fc.boolean(), (packets, h264) => {
        const assembler = new FrameAssembler(h264 ? h264Depacketizer : vp8Depacketizer, { maxPackets: 64 });
        // Measured as a whole against the sum of the per-packet budgets (budget.ts): robust to one scheduling hiccup,
        // still far below what allocating claimed sizes or looping on a lying length would cost.
        const budget = { ...budgetFor(0) };
        for (const p of packets) {
          budget.ms += budgetFor(p.payload.length).ms;
          budget.bytes += budgetFor(p.payload.length).bytes;
        }
        const cost = measure(() => {
          packets.forEach((p, i) => {
            assembler.push(p, i);
            assembler.poll(i * 100);
          });
        });
        expect(cost.ms).toBeLessThan(budget.ms);
        expect(cost.bytes).toBeLessThan(budget.bytes);
        expect(assembler.held).toBeLessThanOrEqual(64);
      }),
      { numRuns: 300 },
    );
  });
});
