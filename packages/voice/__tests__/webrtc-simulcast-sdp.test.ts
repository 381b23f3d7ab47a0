// The parsing behind browser simulcast and browser feedback (docs/protocol.md "Browsers (WebRTC)"): the RTP stream id
// header extension reader and the offer's simulcast attributes (untrusted input: fuzzed with a resource budget), the
// layer binding, the answer's simulcast lines, and the slot ↔ room renumbering used for NACKs and retransmissions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BrowserLayers } from '../src/webrtc/BrowserLayers.js';
import { buildSanitizedOffer, planOffer } from '../src/webrtc/OfferPlan.js';
import { readRid } from '../src/webrtc/ridExtension.js';
import { addSimulcastToAnswer } from '../src/webrtc/SdpAnswer.js';
import { parseSdpOffer, SdpError } from '../src/webrtc/SdpOffer.js';
import { SlotMap } from '../src/webrtc/SlotMap.js';
import { withinBudget } from './budget.js';

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 5).toString(16).padStart(2, '0').toUpperCase()).join(':');

/** An offer with own audio, a simulcast camera (`camera` lines added to its m-line) and one slot of each kind. */
function offer(camera: readonly string[]): string {
  const common = (mid: string, direction: string) => [
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:Wxyz',
    'a=ice-pwd:abcdefghijklmnopqrstuv',
    `a=fingerprint:sha-256 ${FINGERPRINT}`,
    'a=setup:actpass',
    `a=mid:${mid}`,
    `a=${direction}`,
  ];
  return [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    ...common('0', 'sendonly'),
    'a=rtpmap:111 opus/48000/2',
    'a=ssrc:1 cname:x',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
    ...common('1', 'sendonly'),
    'a=rtpmap:96 VP8/90000',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    ...camera,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    ...common('2', 'recvonly'),
    'a=rtpmap:111 opus/48000/2',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    ...common('3', 'recvonly'),
    'a=rtpmap:96 VP8/90000',
    '',
  ].join('\r\n');
}

/** Chrome's RID simulcast lines (no SSRCs), as a page with three sendEncodings offers them. */
const CHROME_RID = [
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  'a=extmap:2/sendonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=rid:25 send',
  'a=rid:50 send max-width=640;max-height=360',
  'a=rid:100 send',
  'a=simulcast:send 25;~50;100,h',
];

/** A one-byte-header (0xBEDE) extension block with `elements` ([id, bytes]), padded to 32 bits. */
function oneByteBlock(elements: readonly [number, Uint8Array][]): Buffer {
  const parts: number[] = [];
  for (const [id, data] of elements) parts.push((id << 4) | (data.length - 1), ...data);
  while (parts.length % 4 !== 0) parts.push(0);
  return Buffer.from(parts);
}

describe('RTP stream id extension', () => {
  it('reads the rid from one-byte and two-byte blocks, among other elements and padding', () => {
    const block = oneByteBlock([
      [1, Buffer.from([0x80])],
      [10, Buffer.from('100')],
      [3, Buffer.from([1, 2, 3])],
    ]);
    expect(readRid(0xbede, block, 10)).toBe('100');
    expect(readRid(0xbede, block, 11)).toBeNull();
    const two = Buffer.from([0, 0, 20, 2, 0x35, 0x30, 7, 1, 9, 0]);
    expect(readRid(0x1000, two, 20)).toBe('50');
    // Lying lengths, reserved id 15, wrong profile, a rid that is not a token.
    expect(readRid(0xbede, Buffer.from([0xaf, 0x31]), 10)).toBeNull();
    expect(readRid(0xbede, Buffer.from([0xf0, 0xa0, 0x31, 0]), 10)).toBeNull();
    expect(readRid(0x1234, block, 10)).toBeNull();
    expect(readRid(0xbede, oneByteBlock([[10, Buffer.from('a b')]]), 10)).toBeNull();
  });

  it('never throws, stays within budget, and finds a rid it was given (property)', () => {
    const rid = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/);
    const element = fc.tuple(fc.integer({ min: 1, max: 14 }), fc.uint8Array({ minLength: 1, maxLength: 16 }));
    fc.assert(
      fc.property(fc.array(element, { maxLength: 6 }), rid, fc.integer({ min: 1, max: 14 }), (others, r, id) => {
        const block = oneByteBlock([...others.filter(([i]) => i !== id), [id, Buffer.from(r)]]);
        expect(readRid(0xbede, block, id)).toBe(r);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(0xbede, 0x1000, 0x1001, 0),
        fc.uint8Array({ maxLength: 1024 }),
        fc.integer({ min: -1, max: 300 }),
        (profile, block, id) => {
          let out: string | null = null;
          const thrown = withinBudget(block, () => {
            out = readRid(profile, block, id);
          });
          expect(thrown).toBeUndefined();
          if (out !== null) expect(out).toMatch(/^[A-Za-z0-9_-]{1,16}$/);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('simulcast in the offer and the answer', () => {
  it("reads Chrome's RID simulcast and a SIM group, and answers RID simulcast", () => {
    const rid = planOffer(parseSdpOffer(offer(CHROME_RID))).ownVideo!.simulcast!;
    expect(rid).toEqual({ ssrcs: [], rids: ['25', '50', '100'], ridExtension: 10, repairedRidExtension: 11 });
    const sim = planOffer(
      parseSdpOffer(
        offer(['a=ssrc-group:SIM 7 8 9', 'a=ssrc-group:FID 7 17', 'a=ssrc:7 cname:x', 'a=ssrc:17 cname:x']),
      ),
    );
    expect(sim.ownVideo!.simulcast).toEqual({
      ssrcs: [7, 8, 9],
      rids: [],
      ridExtension: null,
      repairedRidExtension: null,
    });
    // The native stack is told every layer SSRC (it drops packets of SSRCs it does not know).
    expect(buildSanitizedOffer(sim)).toMatch(/a=ssrc:8 cname:peer\r\na=ssrc:9 cname:peer/);
    expect(planOffer(parseSdpOffer(offer([]))).ownVideo!.simulcast).toBeNull();
    const answer = addSimulcastToAnswer('v=0\r\nm=video 9 X 96\r\na=mid:1\r\na=recvonly\r\n', '1', rid);
    expect(answer).toContain(
      'a=mid:1\r\na=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n' +
        'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n' +
        'a=rid:25 recv\r\na=rid:50 recv\r\na=rid:100 recv\r\na=simulcast:recv 25;50;100\r\n',
    );
  });

  it('refuses broken or oversized simulcast attributes with SdpError only, within budget (property)', () => {
    const attribute = fc.oneof(
      fc.string({ maxLength: 80 }).map((s) => `a=rid:${s}`),
      fc.string({ maxLength: 80 }).map((s) => `a=simulcast:${s}`),
      fc.string({ maxLength: 80 }).map((s) => `a=ssrc-group:SIM ${s}`),
      fc.string({ maxLength: 80 }).map((s) => `a=extmap:${s}`),
      fc.array(fc.stringMatching(/^[a-z0-9]{1,4}$/), { maxLength: 8 }).map((r) => `a=simulcast:send ${r.join(';')}`),
      fc.array(fc.nat(), { maxLength: 8 }).map((s) => `a=ssrc-group:SIM ${s.join(' ')}`),
      fc.constantFrom(...CHROME_RID),
    );
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 10 }), (lines) => {
        const sdp = offer(lines);
        const thrown = withinBudget(sdp, () => {
          const simulcast = planOffer(parseSdpOffer(sdp)).ownVideo!.simulcast;
          if (simulcast) {
            expect(simulcast.rids.length + simulcast.ssrcs.length).toBeGreaterThanOrEqual(2);
            expect(simulcast.rids.length).toBeLessThanOrEqual(4);
            expect(simulcast.ssrcs.length).toBeLessThanOrEqual(4);
          }
        });
        if (thrown !== undefined) expect(thrown).toBeInstanceOf(SdpError);
      }),
      { numRuns: 500 },
    );
  });
});

describe('browser layers and slot renumbering', () => {
  const layers = [
    { ssrc: 1000, rid: '100', quality: 100 },
    { ssrc: 1002, rid: '25', quality: 25 },
    { ssrc: 1004, rid: '50', quality: 50 },
  ];

  it('binds SIM SSRCs by quality, RID SSRCs by rid, and sends keyframe requests back by layer', () => {
    const sim = new BrowserLayers({ ssrcs: [7, 8, 9], rids: [], ridExtension: null, repairedRidExtension: null }, 7);
    const packet = Buffer.alloc(20);
    packet[0] = 0x80;
    expect([7, 8, 9].map((s) => sim.layerOf(packet, s, layers))).toEqual([1, 2, 0]);
    expect(sim.layerOf(packet, 10, layers)).toBe(-1);
    expect(sim.browserSsrc(1004)).toBe(8);
    const rid = new BrowserLayers(
      { ssrcs: [], rids: ['25', '50', '100'], ridExtension: 10, repairedRidExtension: null },
      null,
    );
    const block = oneByteBlock([[10, Buffer.from('50')]]);
    const tagged = Buffer.concat([
      Buffer.from([0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 0xbe, 0xde, 0, block.length / 4]),
      block,
      Buffer.from([0x10]),
    ]);
    expect(rid.layerOf(packet, 42, layers)).toBe(-1); // no rid yet: not bound
    expect(rid.layerOf(tagged, 42, layers)).toBe(2);
    expect(rid.layerOf(packet, 42, layers)).toBe(2); // bound: later packets need no extension
    expect(rid.browserSsrc(1004)).toBe(42);
  });

  it('keeps NACK mapping for a source that runs past the sequence number space', () => {
    const slots = new SlotMap(1);
    slots.slotFor('a', 0);
    for (let i = 0; i < 70_000; i++) slots.rewrite(0, 'video', 9, (500 + i) & 0xffff, i);
    const last = (500 + 69_999) & 0xffff;
    expect(slots.toRoom(0, 'video', [last, (last - 100) & 0xffff])?.sequences).toEqual([last, (last - 100) & 0xffff]);
    // A late packet does not move the end back.
    slots.rewrite(0, 'video', 9, (last - 3) & 0xffff, 0);
    expect(slots.toSlot(0, 'video', 9, last, 69_999)?.[0]).toBe(last);
  });

  it('maps slot sequence numbers back to the room and forth, only for what the slot sent (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(0xffff),
        fc.nat(0xffff),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.nat(0xffff)),
        (start, other, count, asked) => {
          const slots = new SlotMap(1);
          slots.slotFor('a', 0);
          // A first source, then the current one: only the current one's packets map.
          for (let i = 0; i < 5; i++) slots.rewrite(0, 'video', 1, (other + i) & 0xffff, i);
          const sent: number[] = [];
          for (let i = 0; i < count; i++) sent.push(slots.rewrite(0, 'video', 2, (start + i) & 0xffff, i * 3000)[0]);
          const mapped = slots.toRoom(0, 'video', [...sent, ...asked]);
          expect(mapped?.source).toBe(2);
          const inSlot = new Set(sent);
          const expected = [...sent, ...asked.filter((s) => inSlot.has(s))].map((s) => (s - sent[0]! + start) & 0xffff);
          expect(mapped?.sequences).toEqual(expected);
          for (const [i, seq] of sent.entries())
            expect(slots.toSlot(0, 'video', 2, (start + i) & 0xffff, i * 3000)?.[0]).toBe(seq);
          expect(slots.toSlot(0, 'video', 1, other, 0)).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});
