// What a browser sends inside its SRTP session is untrusted too: its RTP becomes the member's room stream and its RTCP
// keyframe requests, through bounds-checked parsers. Fuzzed with a resource budget per case (see budget.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketError } from '../src/errors.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { parseFeedback } from '../src/video/rtcpFeedback.js';
import { toRoomRtp } from '../src/webrtc/browserRtp.js';
import { withinBudget } from './budget.js';

const MAX = 2048;

describe('browser packets', () => {
  it('turns browser RTP into a plain room header with the room SSRC and payload type', () => {
    const header = buildRtpHeader({
      sequence: 7,
      timestamp: 960,
      ssrc: 1234,
      payloadType: 111,
      marker: true,
      extension: { profile: 0xbede, body: Buffer.from([0x10, 0x7f, 0, 0]) },
    });
    const { opened, sourceSsrc, sourcePayloadType } = toRoomRtp(Buffer.concat([header, Buffer.from('opus')]), 99, 120);
    expect(opened.header).toEqual(Buffer.from([0x80, 0x80 | 120, 0, 7, 0, 0, 0x03, 0xc0, 0, 0, 0, 99]));
    expect(opened.payload.toString()).toBe('opus');
    expect(opened.extension).toBeNull();
    expect([sourceSsrc, sourcePayloadType]).toEqual([1234, 111]);
  });

  it('never throws anything but PacketError, within budget, and stays inside the packet (property)', () => {
    const rtpLike = fc.uint8Array({ minLength: 12, maxLength: MAX }).map((u) => {
      u[0] = 0x80 | (u[0]! & 0x3f);
      return Buffer.from(u);
    });
    // Feedback-shaped compounds: PSFB/RTPFB headers with any FMT and length field over random bodies.
    const rtcpLike = fc
      .array(
        fc.record({
          fmt: fc.integer({ min: 0, max: 31 }),
          type: fc.constantFrom(205, 206, 201),
          words: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 0xffff })),
          body: fc.uint8Array({ maxLength: 64 }),
        }),
        { minLength: 1, maxLength: 8 },
      )
      .map((parts) =>
        Buffer.concat(
          parts.map((p) => Buffer.concat([Buffer.from([0x80 | p.fmt, p.type, p.words >> 8, p.words & 0xff]), p.body])),
        ),
      );
    const input = fc.oneof(
      fc.uint8Array({ maxLength: MAX }).map((u) => Buffer.from(u)),
      rtpLike,
      rtcpLike,
    );
    fc.assert(
      fc.property(input, fc.nat(0xffffffff), (msg, ssrc) => {
        const thrown = withinBudget(msg, () => {
          const { opened } = toRoomRtp(msg, ssrc, 120);
          expect(opened.header.length).toBe(12);
          expect(opened.header.readUInt32BE(8)).toBe(ssrc);
          expect(opened.payload.length).toBeLessThanOrEqual(msg.length - 12);
        });
        if (thrown !== undefined) expect(thrown).toBeInstanceOf(PacketError);
        const rtcpThrown = withinBudget(msg, () => {
          // What the leg hands the Sfu from a browser's RTCP: every feedback message takes at least 12 bytes.
          expect(parseFeedback(msg).length).toBeLessThanOrEqual(msg.length / 12);
        });
        if (rtcpThrown !== undefined) expect(rtcpThrown).toBeInstanceOf(PacketError);
      }),
      { numRuns: 800 },
    );
  });
});
