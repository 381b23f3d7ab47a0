// Every decoder of untrusted bytes in the voice package, fuzzed with a resource budget per case (see budget.ts): RTP
// headers, RTCP compounds, IP discovery, the decryption path, and the SFU's datagram handler as a whole.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENCRYPTION_MODES } from '../src/crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../src/crypto/PacketCipher.js';
import { PacketError } from '../src/errors.js';
import { buildReceiverReport, isRtcp, parseRtcp } from '../src/rtcp/Rtcp.js';
import { buildRtpHeader, parseRtpPacket, readRtpFixedHeader, rtpsizeClearLength } from '../src/rtp/RtpHeader.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';
import { buildIpDiscoveryRequest, isIpDiscoveryRequest, parseIpDiscoveryResponse } from '../src/udp/ipDiscovery.js';
import { budgetFor, measure, withinBudget } from './budget.js';

const MAX = 4096;
const RUNS = { numRuns: 400 };

/** Raw bytes, biased towards headers that parse: version 2 with random flags and counts. */
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: MAX }),
  fc.uint8Array({ minLength: 12, maxLength: MAX }).map((u) => {
    u[0] = 0x80 | (u[0]! & 0x3f);
    return u;
  }),
);

/** RTP packets whose CSRC count, extension length and padding count are chosen independently of the real size. */
const lyingRtp = fc
  .record({
    cc: fc.integer({ min: 0, max: 15 }),
    extension: fc.boolean(),
    padding: fc.boolean(),
    extensionWords: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 0xffff })),
    padCount: fc.integer({ min: 0, max: 255 }),
    body: fc.uint8Array({ maxLength: MAX - 12 }),
  })
  .map((r) => {
    const out = Buffer.alloc(12 + r.body.length);
    out[0] = 0x80 | (r.padding ? 0x20 : 0) | (r.extension ? 0x10 : 0) | r.cc;
    out[1] = 0x78;
    out.set(r.body, 12);
    const at = 12 + 4 * r.cc;
    if (r.extension && out.length >= at + 4) {
      out.writeUInt16BE(0xbede, at);
      out.writeUInt16BE(r.extensionWords, at + 2);
    }
    if (r.padding && out.length > 12) out[out.length - 1] = r.padCount;
    return new Uint8Array(out);
  });

/** Compound RTCP with random types, counts, length fields (true or not) and padding. */
const lyingRtcp = fc
  .array(
    fc.record({
      version: fc.constantFrom(2, 2, 2, 1),
      padding: fc.boolean(),
      count: fc.integer({ min: 0, max: 31 }),
      type: fc.oneof(fc.integer({ min: 200, max: 204 }), fc.integer({ min: 0, max: 255 })),
      words: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffff })),
      body: fc.uint8Array({ maxLength: 256 }),
    }),
    { minLength: 1, maxLength: 16 },
  )
  .map((packets) => {
    const parts = packets.map((p) => {
      const out = Buffer.alloc(4 + p.body.length);
      out[0] = (p.version << 6) | (p.padding ? 0x20 : 0) | p.count;
      out[1] = p.type;
      out.writeUInt16BE(p.words, 2);
      out.set(p.body, 4);
      return out;
    });
    return new Uint8Array(Buffer.concat(parts).subarray(0, MAX));
  });

function expectPacketError(thrown: unknown): void {
  if (thrown !== undefined) expect(thrown).toBeInstanceOf(PacketError);
}

describe('RTP header parser', () => {
  it('either returns a layout inside the packet or throws a PacketError, within budget', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, lyingRtp), (packet) => {
        let layout: ReturnType<typeof parseRtpPacket> | null = null;
        const thrown = withinBudget(packet, () => {
          readRtpFixedHeader(packet);
          layout = parseRtpPacket(packet);
        });
        expectPacketError(thrown);
        if (layout === null) return;
        const l = layout as ReturnType<typeof parseRtpPacket>;
        expect(l.header.csrcs).toHaveLength(l.header.csrcCount);
        expect(12 + 4 * l.header.csrcCount).toBe(l.csrcEnd);
        expect(l.csrcEnd).toBeLessThanOrEqual(l.extensionBodyStart);
        expect(l.extensionBodyStart + l.extensionBodyLength).toBe(l.payloadStart);
        expect(l.payloadStart).toBeLessThanOrEqual(l.payloadEnd);
        expect(l.payloadEnd).toBeLessThanOrEqual(packet.length);
        expect(rtpsizeClearLength(packet)).toBeLessThanOrEqual(packet.length);
      }),
      RUNS,
    );
  });
});

describe('RTCP compound parser', () => {
  it('either returns packets whose blocks fit in the datagram or throws a PacketError, within budget', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, lyingRtcp), (packet) => {
        let parsed: ReturnType<typeof parseRtcp> | null = null;
        const thrown = withinBudget(packet, () => {
          isRtcp(packet);
          parsed = parseRtcp(packet);
        });
        expectPacketError(thrown);
        if (parsed === null) return;
        const packets = parsed as ReturnType<typeof parseRtcp>;
        expect(packets.length * 8).toBeLessThanOrEqual(packet.length);
        const blocks = packets.reduce((n, p) => n + ('blocks' in p ? p.blocks.length : 0), 0);
        expect(8 + blocks * 24).toBeLessThanOrEqual(Math.max(8, packet.length));
      }),
      RUNS,
    );
  });
});

describe('IP discovery parser', () => {
  it('recognises only 74-byte requests and parses only 74-byte responses, within budget', () => {
    const discoveryLike = fc
      .tuple(fc.constantFrom(1, 2, 3), fc.constantFrom(70, 69, 0xffff), fc.uint8Array({ minLength: 70, maxLength: 70 }))
      .map(([type, length, rest]) => {
        const out = Buffer.alloc(74);
        out.writeUInt16BE(type, 0);
        out.writeUInt16BE(length, 2);
        out.set(rest, 4);
        return new Uint8Array(out);
      });
    fc.assert(
      fc.property(fc.oneof(bytes, discoveryLike), (packet) => {
        let request = false;
        let response: ReturnType<typeof parseIpDiscoveryResponse> = null;
        expect(
          withinBudget(packet, () => {
            request = isIpDiscoveryRequest(packet);
            response = parseIpDiscoveryResponse(packet);
          }),
        ).toBeUndefined();
        if (request || response) expect(packet.length).toBe(74);
        const r = response as ReturnType<typeof parseIpDiscoveryResponse>;
        if (r) {
          expect(Buffer.byteLength(r.address)).toBeLessThanOrEqual(64 * 3);
          expect(r.port).toBeLessThanOrEqual(0xffff);
        }
      }),
      RUNS,
    );
  });
});

describe.each(ENCRYPTION_MODES.map((m) => [m]))('decryption path (%s)', (mode) => {
  it('throws only PacketErrors on garbage, truncation, bit flips and lying headers, within budget', () => {
    const key = generateSecretKey();
    const tx = new PacketCipher(mode, key, { initialCounter: 1 });
    const rx = new PacketCipher(mode, key);
    const valid = tx.seal(
      buildRtpHeader({ sequence: 1, timestamp: 960, ssrc: 9, csrcs: [1, 2] }),
      Buffer.alloc(200, 7),
    );
    const rtcp = tx.sealRtcp(buildReceiverReport(9, []));
    const mutated = (base: Buffer) =>
      fc.oneof(
        fc.integer({ min: 0, max: base.length }).map((n) => new Uint8Array(base.subarray(0, n))),
        fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
          const copy = Buffer.from(base);
          copy[i] = copy[i]! ^ x;
          return new Uint8Array(copy);
        }),
        // CSRC count and extension bit changed: the clear-header length the cipher computes moves.
        fc.integer({ min: 0, max: 0x1f }).map((bits) => {
          const copy = Buffer.from(base);
          copy[0] = 0x80 | bits;
          return new Uint8Array(copy);
        }),
      );
    fc.assert(
      fc.property(fc.oneof(bytes, lyingRtp, mutated(valid), mutated(rtcp)), (packet) => {
        expectPacketError(withinBudget(packet, () => rx.open(packet)));
        expectPacketError(withinBudget(packet, () => parseRtcp(rx.openRtcp(packet))));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Sfu.handle (in process)', () => {
  it('never throws, stays within budget, and never sends garbage anywhere but back, nor more bytes than it got', () => {
    const key = generateSecretKey();
    const sent: { length: number; address: string; port: number }[] = [];
    const sfu = new Sfu((packet, port, address) => sent.push({ length: packet.length, address, port }));
    const member = (ssrc: number, mode: (typeof ENCRYPTION_MODES)[number], bound: boolean): SfuMember => {
      const m: SfuMember = {
        userId: `u${ssrc}`,
        ssrc,
        room: 'r',
        mode,
        cipher: new PacketCipher(mode, key),
        remote: null,
        muted: false,
        deafened: false,
        silenceRun: 0,
      };
      sfu.add(m);
      if (bound) sfu.bindRemote(m, '10.0.0.1', 5000 + ssrc);
      return m;
    };
    const ssrcs = ENCRYPTION_MODES.map((mode, i) => member(100 + i, mode, i % 2 === 0).ssrc);
    const withSsrc = fc.tuple(fc.oneof(bytes, lyingRtp, lyingRtcp), fc.constantFrom(...ssrcs)).map(([u, ssrc]) => {
      const buf = Buffer.from(u);
      if (buf.length >= 12) buf.writeUInt32BE(ssrc, isRtcp(buf) ? 4 : 8);
      return new Uint8Array(buf);
    });
    const discovery = fc
      .constantFrom(...ssrcs, 1, 0xffffffff)
      .map((ssrc) => new Uint8Array(buildIpDiscoveryRequest(ssrc)));
    const keepalive = fc.uint8Array({ minLength: 8, maxLength: 8 });
    const source = fc.tuple(fc.constantFrom('10.0.0.1', '10.0.0.2', '203.0.113.5'), fc.integer({ min: 1, max: 65535 }));
    const forwardedBefore = sfu.stats.forwarded;
    fc.assert(
      fc.property(fc.oneof(bytes, withSsrc, discovery, keepalive), source, (packet, [address, port]) => {
        const before = sent.length;
        const received = sfu.stats.received;
        expect(withinBudget(packet, () => sfu.handle(Buffer.from(packet), address, port))).toBeUndefined();
        expect(sfu.stats.received).toBe(received + 1);
        const out = sent.slice(before);
        for (const s of out) expect({ address: s.address, port: s.port }).toEqual({ address, port });
        expect(out.reduce((n, s) => n + s.length, 0)).toBeLessThanOrEqual(packet.length);
      }),
      { numRuns: 1000 },
    );
    // Forged packets never authenticate, so nothing was ever forwarded.
    expect(sfu.stats.forwarded).toBe(forwardedBefore);
  });
});

describe('budget helper', () => {
  it('catches a decoder that allocates what a header declares', () => {
    const greedy = (packet: Uint8Array) => new Uint8Array((packet[0]! << 16) * 4);
    let kept: Uint8Array | null = null;
    const cost = measure(() => {
      kept = greedy(Uint8Array.of(0xff, 0));
    });
    expect(kept).not.toBeNull();
    expect(cost.bytes).toBeGreaterThan(budgetFor(2).bytes);
  });
});
