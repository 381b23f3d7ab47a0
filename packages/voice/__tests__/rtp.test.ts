import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketError } from '../src/errors.js';
import { buildRtpHeader, parseRtpPacket, rtpsizeClearLength } from '../src/rtp/RtpHeader.js';

describe('RTP header', () => {
  it('round-trips fixed header, CSRCs and extension', () => {
    fc.assert(
      fc.property(
        fc.record({
          sequence: fc.integer({ min: 0, max: 0xffff }),
          timestamp: fc.integer({ min: 0, max: 0xffffffff }),
          ssrc: fc.integer({ min: 0, max: 0xffffffff }),
          marker: fc.boolean(),
          csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
          ext: fc.option(fc.uint8Array({ maxLength: 40 }).map((b) => b.subarray(0, b.length - (b.length % 4)))),
          payload: fc.uint8Array({ maxLength: 200 }),
        }),
        (r) => {
          const header = buildRtpHeader({
            sequence: r.sequence,
            timestamp: r.timestamp,
            ssrc: r.ssrc,
            marker: r.marker,
            csrcs: r.csrcs,
            ...(r.ext ? { extension: { profile: 0xbede, body: r.ext } } : {}),
          });
          const packet = Buffer.concat([header, r.payload]);
          const layout = parseRtpPacket(packet);
          expect(layout.header).toMatchObject({
            sequence: r.sequence,
            timestamp: r.timestamp,
            ssrc: r.ssrc,
            marker: r.marker,
            csrcs: r.csrcs,
            payloadType: 0x78,
            extension: r.ext !== null,
          });
          expect(layout.payloadStart).toBe(header.length);
          expect(packet.subarray(layout.payloadStart, layout.payloadEnd)).toEqual(Buffer.from(r.payload));
          expect(rtpsizeClearLength(packet)).toBe(12 + 4 * r.csrcs.length + (r.ext ? 4 : 0));
        },
      ),
    );
  });

  it('strips padding', () => {
    const header = buildRtpHeader({ sequence: 1, timestamp: 2, ssrc: 3 });
    header[0] = header[0]! | 0x20;
    const packet = Buffer.concat([header, Buffer.from([1, 2, 3, 0, 0, 3])]);
    const layout = parseRtpPacket(packet);
    expect(packet.subarray(layout.payloadStart, layout.payloadEnd)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('gives a typed PacketError, never anything else, for random and truncated input', () => {
    const valid = Buffer.concat([
      buildRtpHeader({
        sequence: 9,
        timestamp: 9,
        ssrc: 9,
        csrcs: [1, 2],
        extension: { profile: 0xbede, body: Buffer.alloc(8) },
      }),
      Buffer.from([0xf8, 0xff, 0xfe]),
    ]);
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 100 }),
      fc.integer({ min: 0, max: valid.length }).map((n) => valid.subarray(0, n)),
      fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
        const copy = Buffer.from(valid);
        copy[i] = v;
        return copy;
      }),
    );
    fc.assert(
      fc.property(inputs, (input) => {
        try {
          const layout = parseRtpPacket(input);
          expect(layout.payloadEnd).toBeLessThanOrEqual(input.length);
          expect(layout.payloadStart).toBeLessThanOrEqual(layout.payloadEnd);
        } catch (error) {
          expect(error).toBeInstanceOf(PacketError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
