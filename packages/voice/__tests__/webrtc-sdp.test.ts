// The browser-facing SDP code: the offer parser (untrusted text from a voice gateway client) fuzzed with a resource
// budget, the m-line plan, the sanitized offer handed to the native stack, and the answer's slot lines.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Refusal } from '../src/server/payloads.js';
import { buildSanitizedOffer, MAX_SLOTS, planOffer } from '../src/webrtc/OfferPlan.js';
import { addSlotsToAnswer } from '../src/webrtc/SdpAnswer.js';
import { MAX_SDP_BYTES, parseSdpOffer, SdpError } from '../src/webrtc/SdpOffer.js';
import { SLOT_IDLE_MS, SlotMap } from '../src/webrtc/SlotMap.js';
import { parseWebRtcSelect } from '../src/webrtc/selectWebRtc.js';
import { withinBudget } from './budget.js';

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');

/** A Chrome-shaped offer: own audio + own video, then `slots` recvonly audio and video m-lines. */
function chromeOffer(slots = 2): string {
  const common = (mid: string, direction: string) => [
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=candidate:1 1 udp 2113937151 abcd-1234.local 54400 typ host generation 0 network-cost 999',
    'a=ice-ufrag:Ab+/',
    'a=ice-pwd:abcdefghijklmnopqrstuv',
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${FINGERPRINT}`,
    'a=setup:actpass',
    `a=mid:${mid}`,
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    `a=${direction}`,
    'a=rtcp-mux',
  ];
  const audio = (mid: string, direction: string, ssrc?: number) => [
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    ...common(mid, direction),
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=rtpmap:0 PCMU/8000',
    ...(ssrc ? [`a=ssrc:${ssrc} cname:x`, `a=ssrc:${ssrc} msid:s a`] : []),
  ];
  const video = (mid: string, direction: string, ssrc?: number) => [
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103',
    ...common(mid, direction),
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:102 H264/90000',
    'a=rtpmap:103 rtx/90000',
    ...(ssrc ? [`a=ssrc-group:FID ${ssrc} ${ssrc + 1}`, `a=ssrc:${ssrc} cname:x`, `a=ssrc:${ssrc + 1} cname:x`] : []),
  ];
  const mids = Array.from({ length: 2 + 2 * slots }, (_, i) => String(i));
  const lines = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    `a=group:BUNDLE ${mids.join(' ')}`,
  ];
  lines.push(...audio('0', 'sendonly', 1111), ...video('1', 'sendrecv', 2222));
  for (let i = 0; i < slots; i++) lines.push(...audio(String(2 + i), 'recvonly'));
  for (let i = 0; i < slots; i++) lines.push(...video(String(2 + slots + i), 'recvonly'));
  return `${lines.join('\r\n')}\r\n`;
}

describe('SDP offer parsing', () => {
  it('reads a Chrome-shaped offer and plans its m-lines', () => {
    const plan = planOffer(parseSdpOffer(chromeOffer(3)));
    expect(plan.opusPayloadType).toBe(111);
    expect(plan.vp8PayloadType).toBe(96);
    expect(plan.ownAudio?.mid).toBe('0');
    expect(plan.ownAudio?.ssrcs).toEqual([1111]);
    expect(plan.ownVideo?.mid).toBe('1');
    expect(plan.audioSlots.map((m) => m.mid)).toEqual(['2', '3', '4']);
    expect(plan.videoSlots.map((m) => m.mid)).toEqual(['5', '6', '7']);
    expect(plan.offer.fingerprint).toEqual({ algorithm: 'sha-256', value: FINGERPRINT });
  });

  it('hands the native stack only rebuilt lines: one codec per m-line, no candidates, extensions or RTX', () => {
    const sanitized = buildSanitizedOffer(planOffer(parseSdpOffer(chromeOffer(1))));
    expect(sanitized).not.toMatch(/candidate|extmap|rtx|H264|red\/|PCMU|\.local/);
    expect(sanitized).toContain('a=group:BUNDLE 0 1 2 3');
    expect(sanitized).toContain('a=ssrc:1111 cname:peer');
    // The sanitized offer is itself a valid offer with the same plan.
    const again = planOffer(parseSdpOffer(sanitized));
    expect(again.audioSlots).toHaveLength(1);
    expect(again.ownVideo?.direction).toBe('sendonly');
  });

  it('refuses what it cannot answer with SDP_UNSUPPORTED and broken text with SDP_MALFORMED / SDP_TOO_LARGE', () => {
    const code = (sdp: string) => {
      try {
        parseSdpOffer(sdp);
        return 'ok';
      } catch (error) {
        expect(error).toBeInstanceOf(SdpError);
        return (error as SdpError).code;
      }
    };
    expect(code(chromeOffer().replace(/a=fingerprint:[^\r]*\r\n/g, ''))).toBe('SDP_UNSUPPORTED');
    expect(code(chromeOffer().replace(/a=ice-pwd:[^\r]*\r\n/g, ''))).toBe('SDP_UNSUPPORTED');
    expect(code(chromeOffer().replace('a=ice-ufrag:Ab+/', 'a=ice-ufrag:other'))).toBe('SDP_UNSUPPORTED');
    expect(code(chromeOffer().replace('a=mid:3', 'a=mid:2'))).toBe('SDP_MALFORMED');
    expect(code(chromeOffer().replace('a=rtpmap:111', 'a=rtpmap:112'))).toBe('SDP_MALFORMED');
    expect(code(`${chromeOffer()}a=x:${'y'.repeat(2000)}\r\n`)).toBe('SDP_TOO_LARGE');
    expect(code('x'.repeat(MAX_SDP_BYTES + 1))).toBe('SDP_TOO_LARGE');
    expect(code('v=1\r\n')).toBe('SDP_MALFORMED');
    expect(() => planOffer(parseSdpOffer(chromeOffer().replaceAll('opus/48000/2', 'ISAC/16000')))).toThrow(SdpError);
  });

  it('caps receive slots at MAX_SLOTS', () => {
    const plan = planOffer(parseSdpOffer(chromeOffer(18)));
    expect(plan.audioSlots.length).toBeLessThanOrEqual(MAX_SLOTS);
  });

  it('maps a Select Protocol to a plan or a Refusal with the voice close code', () => {
    expect(parseWebRtcSelect({ protocol: 'webrtc', sdp: chromeOffer() })).not.toBeInstanceOf(Refusal);
    expect(parseWebRtcSelect({ protocol: 'webrtc', data: chromeOffer() })).not.toBeInstanceOf(Refusal);
    expect((parseWebRtcSelect({ protocol: 'webrtc', sdp: 'garbage' }) as Refusal).code).toBe(4002);
    expect(
      (parseWebRtcSelect({ protocol: 'webrtc', sdp: chromeOffer().replaceAll('a=fingerprint', 'a=fp') }) as Refusal)
        .code,
    ).toBe(4016);
  });

  it('never throws anything but SdpError, within budget, on mutated and random offers (property)', () => {
    const base = chromeOffer(2);
    const lines = base.split('\r\n');
    const mutated = fc
      .array(
        fc.record({
          at: fc.nat(lines.length - 1),
          op: fc.constantFrom('drop', 'dup', 'replace', 'truncate', 'insert'),
          text: fc.oneof(
            fc.string({ maxLength: 64 }),
            fc.constantFrom('m=audio 9 X 999', 'a=mid:', 'a=rtpmap:96 VP8/90000/9', 'a=ssrc:99999999999 x', 'v=0'),
          ),
        }),
        { maxLength: 12 },
      )
      .map((edits) => {
        const out = [...lines];
        for (const e of edits) {
          const at = e.at % Math.max(1, out.length);
          if (e.op === 'drop') out.splice(at, 1);
          else if (e.op === 'dup') out.splice(at, 0, out[at] ?? '');
          else if (e.op === 'replace') out[at] = e.text;
          else if (e.op === 'truncate') out[at] = (out[at] ?? '').slice(0, e.text.length);
          else out.splice(at, 0, e.text);
        }
        return out.join('\r\n');
      });
    const input = fc.oneof(
      mutated,
      fc.string({ maxLength: 4096 }),
      fc.string({ maxLength: 64 }).map((s) => `v=0\r\n${s}`),
    );
    fc.assert(
      fc.property(input, (sdp) => {
        const thrown = withinBudget(sdp, () => {
          const plan = planOffer(parseSdpOffer(sdp));
          // Whatever parses must rebuild into an offer that parses again to the same roles.
          const again = planOffer(parseSdpOffer(buildSanitizedOffer(plan)));
          expect(again.audioSlots.length).toBe(plan.audioSlots.length);
          expect(again.opusPayloadType).toBe(plan.opusPayloadType);
        });
        if (thrown !== undefined) expect(thrown).toBeInstanceOf(SdpError);
      }),
      { numRuns: 600 },
    );
  });
});

describe('answer slots and slot binding', () => {
  it('adds msid and ssrc lines after the slot m-lines only', () => {
    const answer = 'v=0\r\nm=audio 1 X 111\r\na=mid:0\r\na=recvonly\r\nm=audio 1 X 111\r\na=mid:2\r\na=sendonly\r\n';
    const out = addSlotsToAnswer(answer, [{ mid: '2', kind: 'audio', index: 0, ssrc: 42 }]);
    expect(out).toContain(
      'a=mid:2\r\na=msid:slot0 audio0\r\na=ssrc:42 cname:concord\r\na=ssrc:42 msid:slot0 audio0\r\n',
    );
    expect(out.match(/a=ssrc/g)).toHaveLength(2);
  });

  it('binds users to free slots, reuses the longest-idle one, and keeps sequence and timestamp continuous', () => {
    const slots = new SlotMap(2);
    expect(slots.slotFor('a', 0)).toEqual({ index: 0, bound: true });
    expect(slots.slotFor('b', 10)).toEqual({ index: 1, bound: true });
    expect(slots.slotFor('a', 20)).toEqual({ index: 0, bound: false });
    // Both busy and recent: a third user gets nothing.
    expect(slots.slotFor('c', 30)).toBeNull();
    // b idle past SLOT_IDLE_MS: c takes its slot.
    expect(slots.slotFor('c', 20 + SLOT_IDLE_MS)).toEqual({ index: 1, bound: true });
    expect(slots.userOf(1)).toBe('c');
    expect(slots.rewrite(1, 'audio', 100, 5000, 1_000_000)).toEqual([5000, 1_000_000]);
    // Another source in the same slot continues one step later.
    expect(slots.rewrite(1, 'audio', 200, 7, 55)).toEqual([5001, 1_000_960]);
    expect(slots.rewrite(1, 'audio', 200, 8, 55 + 960)).toEqual([5002, 1_001_920]);
    slots.release('a');
    expect(slots.slotFor('d', 40 + SLOT_IDLE_MS)).toEqual({ index: 0, bound: true });
  });
});
