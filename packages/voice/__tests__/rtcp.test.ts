import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpusBitrateController } from '../src/client/OpusBitrateController.js';
import { VoiceClient } from '../src/client/VoiceClient.js';
import { ENCRYPTION_MODES } from '../src/crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../src/crypto/PacketCipher.js';
import { PacketError } from '../src/errors.js';
import { createOpusCodec } from '../src/opus/opus.js';
import { ReceptionStats } from '../src/rtcp/ReceptionStats.js';
import { buildReceiverReport, isRtcp, parseRtcp, type ReportBlock, RtcpType } from '../src/rtcp/Rtcp.js';
import { Sfu, type SfuMember, type UdpSend } from '../src/server/Sfu.js';
import { createVoiceServer, type VoiceServer } from '../src/server/VoiceServer.js';
import { toneFrames, waitFor } from './helpers.js';

const blockArb: fc.Arbitrary<ReportBlock> = fc.record({
  ssrc: fc.nat({ max: 0xffffffff }),
  fractionLost: fc.integer({ min: 0, max: 255 }),
  cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  highestSequence: fc.nat({ max: 0xffffffff }),
  jitter: fc.nat({ max: 0xffffffff }),
  lastSenderReport: fc.nat({ max: 0xffffffff }),
  delaySinceLastSenderReport: fc.nat({ max: 0xffffffff }),
});

describe('RTCP receiver reports', () => {
  it('round-trips any RR', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.array(blockArb, { maxLength: 31 }), (ssrc, blocks) => {
        const packet = buildReceiverReport(ssrc, blocks);
        expect(isRtcp(packet)).toBe(true);
        expect(parseRtcp(packet)).toEqual([{ type: RtcpType.ReceiverReport, ssrc, blocks }]);
      }),
    );
  });

  it('parses compounds and skips other packet types', () => {
    const sdes = Buffer.from([0x81, 202, 0, 1, 0, 0, 0, 7]);
    const rr = buildReceiverReport(7, []);
    expect(parseRtcp(Buffer.concat([rr, sdes]))).toEqual([
      { type: 201, ssrc: 7, blocks: [] },
      { type: 202, ssrc: 7 },
    ]);
  });

  it('refuses random and truncated input with a typed error only', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .tuple(fc.nat({ max: 0xffffffff }), fc.array(blockArb, { minLength: 1, maxLength: 5 }), fc.nat())
            .map(([s, b, cut]) => {
              const full = buildReceiverReport(s, b);
              return full.subarray(0, cut % full.length);
            }),
        ),
        (bytes) => {
          try {
            const out = parseRtcp(bytes);
            // Whatever parses cannot describe more than the bytes hold.
            const blocks = out.reduce((n, p) => n + ('blocks' in p ? p.blocks.length : 0), 0);
            expect(blocks * 24).toBeLessThanOrEqual(bytes.length);
          } catch (error) {
            expect(error).toBeInstanceOf(PacketError);
            expect((error as PacketError).code).toMatch(/^RTCP_/);
          }
        },
      ),
    );
  });
});

describe.each(ENCRYPTION_MODES.map((m) => [m]))('RTCP encryption in %s', (mode) => {
  it('seals with 8 clear bytes, opens, refuses tampering and replays', () => {
    const key = generateSecretKey();
    const tx = new PacketCipher(mode, key, { initialCounter: 5 });
    const rx = new PacketCipher(mode, key);
    const rr = buildReceiverReport(0x1234, [
      {
        ssrc: 99,
        fractionLost: 26,
        cumulativeLost: 3,
        highestSequence: 70000,
        jitter: 120,
        lastSenderReport: 0,
        delaySinceLastSenderReport: 0,
      },
    ]);
    const sealed = tx.sealRtcp(rr);
    expect(sealed.subarray(0, 8)).toEqual(rr.subarray(0, 8));
    expect(sealed.includes(rr.subarray(8))).toBe(false);
    expect(isRtcp(sealed)).toBe(true);
    expect(rx.openRtcp(sealed)).toEqual(rr);
    const forged = Buffer.from(sealed);
    forged[3] = forged[3]! ^ 1;
    expect(() => rx.openRtcp(forged)).toThrow(PacketError);
    if (mode !== 'xsalsa20_poly1305' && mode !== 'xsalsa20_poly1305_suffix') {
      expect(() => rx.openRtcp(sealed)).toThrow(expect.objectContaining({ code: 'REPLAY' }));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (junk) => {
        expect(() => rx.openRtcp(junk)).toThrow(PacketError);
      }),
    );
  });
});

describe('ReceptionStats', () => {
  it('counts loss and fraction lost per interval, across the sequence wrap', () => {
    const stats = new ReceptionStats(1);
    let t = 0;
    // 100 packets from 65500 (wrapping), every 5th lost.
    for (let i = 0; i < 100; i++) {
      if (i % 5 === 4) continue;
      t = i * 20;
      stats.update((65_500 + i) & 0xffff, i * 960, t);
    }
    const first = stats.report();
    expect(first.highestSequence).toBe(65_500 + 98);
    // The last packet (i = 99) was one of the lost: 99 expected, 80 received.
    expect(first.cumulativeLost).toBe(19);
    expect(first.fractionLost).toBe(Math.floor((19 * 256) / 99));
    expect(first.jitter).toBe(0);
    for (let i = 100; i < 150; i++) {
      t += 20;
      stats.update((65_500 + i) & 0xffff, i * 960, t);
    }
    const second = stats.report();
    // Packet 99 counts as lost only now that 100 arrived: 1 of 51 expected in this interval.
    expect(second.fractionLost).toBe(Math.floor(256 / 51));
    expect(second.cumulativeLost).toBe(20);
    for (let i = 150; i < 200; i++) {
      t += 20;
      stats.update((65_500 + i) & 0xffff, i * 960, t);
    }
    expect(stats.report().fractionLost).toBe(0);
  });

  it('estimates interarrival jitter (RFC 3550 A.8) from uneven arrivals', () => {
    const stats = new ReceptionStats(1);
    for (let i = 0; i < 500; i++) stats.update(i, i * 960, i * 20 + (i % 2 ? 10 : 0));
    // Transit alternates by 10 ms = 480 units: J converges to 480.
    expect(stats.report().jitter).toBeGreaterThan(440);
    expect(stats.report().jitter).toBeLessThanOrEqual(480);
  });
});

describe('OpusBitrateController', () => {
  it('lowers the bitrate and turns FEC on under loss, recovers after clean reports', () => {
    const c = new OpusBitrateController();
    expect(c.settings).toEqual({ bitrate: 64_000, fec: false, packetLossPercent: 0 });
    expect(c.update(0.02)).toEqual({ bitrate: 64_000, fec: true, packetLossPercent: 2 });
    expect(c.update(0.1)).toEqual({ bitrate: 48_000, fec: true, packetLossPercent: 10 });
    for (let i = 0; i < 20; i++) c.update(0.5);
    expect(c.settings.bitrate).toBe(16_000);
    c.update(0);
    c.update(0);
    expect(c.settings.fec).toBe(true);
    c.update(0);
    expect(c.settings).toEqual({ bitrate: 24_000, fec: false, packetLossPercent: 0 });
    for (let i = 0; i < 100; i++) c.update(0);
    expect(c.settings.bitrate).toBe(128_000);
  });

  it('stays within its bounds, whatever it is fed', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.double({ min: 0, max: 1 }))), (losses) => {
        const c = new OpusBitrateController({ minBitrate: 20_000, maxBitrate: 96_000 });
        for (const l of losses) {
          const s = c.update(l);
          expect(s.bitrate).toBeGreaterThanOrEqual(20_000);
          expect(s.bitrate).toBeLessThanOrEqual(96_000);
          expect(s.packetLossPercent).toBeGreaterThanOrEqual(0);
          expect(s.packetLossPercent).toBeLessThanOrEqual(100);
        }
      }),
    );
  });

  it('drives opusscript: a lower bitrate gives smaller packets', () => {
    const codec = createOpusCodec();
    const frames = toneFrames(440, 50);
    const size = (bitrate: number) => {
      codec.configure({ bitrate, fec: true, packetLossPercent: 10 });
      let bytes = 0;
      for (const f of frames) bytes += codec.encode(f).length;
      return bytes;
    };
    const high = size(128_000);
    const low = size(16_000);
    expect(low).toBeLessThan(high / 3);
    codec.delete();
  });
});

describe('Sfu RTCP relay (in process)', () => {
  it('sends each block to its speaker once, only inside the room, and rate-limits reporters', () => {
    const key = new Uint8Array(32).fill(9);
    const sent: { packet: Buffer; port: number }[] = [];
    const sfu = new Sfu((packet, port) => {
      sent.push({ packet, port });
    });
    const member = (ssrc: number, room: string): SfuMember => {
      const m: SfuMember = {
        userId: `u${ssrc}`,
        ssrc,
        room,
        mode: 'aead_xchacha20_poly1305_rtpsize',
        cipher: new PacketCipher('aead_xchacha20_poly1305_rtpsize', key),
        remote: null,
        muted: false,
        deafened: false,
        silenceRun: 0,
      };
      sfu.add(m);
      sfu.bindRemote(m, '10.0.0.1', ssrc);
      return m;
    };
    member(1, 'r');
    member(2, 'r');
    member(3, 'other');
    const tx = new PacketCipher('aead_xchacha20_poly1305_rtpsize', key, { initialCounter: 1 });
    const block = (ssrc: number): ReportBlock => ({
      ssrc,
      fractionLost: 10,
      cumulativeLost: 1,
      highestSequence: 5,
      jitter: 3,
      lastSenderReport: 0,
      delaySinceLastSenderReport: 0,
    });
    // Reporter 4 in room r: blocks about 1 (twice), 2, 3 (another room) and itself.
    const reporter = member(4, 'r');
    const rr = buildReceiverReport(4, [block(1), block(1), block(2), block(3), block(4)]);
    sfu.handle(tx.sealRtcp(rr), '10.0.0.1', 4);
    expect(sent.map((s) => s.port).sort()).toEqual([1, 2]);
    const rx = new PacketCipher('aead_xchacha20_poly1305_rtpsize', key);
    const toOne = parseRtcp(rx.openRtcp(sent.find((s) => s.port === 1)!.packet));
    expect(toOne).toEqual([{ type: 201, ssrc: 4, blocks: [block(1)] }]);
    // A second report right away is refused.
    sfu.handle(tx.sealRtcp(rr), '10.0.0.1', 4);
    expect(sent.length).toBe(2);
    expect(sfu.stats.dropped.rtcp).toBe(1);
    reporter.rtcpAt = undefined;
    // Forged (wrong key) reports are counted, not relayed.
    sfu.handle(new PacketCipher('aead_xchacha20_poly1305_rtpsize', new Uint8Array(32)).sealRtcp(rr), '10.0.0.1', 4);
    expect(sent.length).toBe(2);
    expect(sfu.stats.dropped.rtcp).toBe(2);
    expect(sfu.stats.reportsForwarded).toBe(2);
    // Random RTCP-looking datagrams from a member (8 bytes would be a keepalive): counted, never thrown, never relayed.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 9, maxLength: 200 }), fc.integer({ min: 200, max: 204 }), (u, pt) => {
        const buf = Buffer.from(u);
        buf[0] = 0x80 | (buf[0]! & 0x3f);
        buf[1] = pt;
        buf.writeUInt32BE(4, 4);
        reporter.rtcpAt = undefined;
        expect(() => sfu.handle(buf, '10.0.0.1', 4)).not.toThrow();
      }),
      { numRuns: 500 },
    );
    expect(sent.length).toBe(2);
  });
});

describe('receiver reports through the SFU', () => {
  let server: VoiceServer;
  beforeAll(async () => {
    // udpBatch off: these tests put loss on a leg by wrapping the SFU's `send`, which batched media bypasses.
    server = await createVoiceServer({ heartbeatInterval: 5_000, udpBatch: false });
  });
  afterAll(async () => {
    await server.close();
  });

  it('a lossy listener makes the speaker lower its bitrate and enable FEC; clean reports bring it back', async () => {
    const join = (userId: string) => {
      const { token, endpoint } = server.allocate({ guildId: 'g', channelId: 'rtcp', userId, sessionId: userId });
      return new VoiceClient({
        endpoint,
        token,
        sessionId: userId,
        userId,
        guildId: 'g',
        modes: ['aead_aes256_gcm_rtpsize'],
        rtcpInterval: 150,
        adaptBitrate: { cleanReportsToIncrease: 1, increaseStep: 16_000 },
      });
    };
    const a = join('rr-a');
    const b = join('rr-b');
    await a.connect();
    await b.connect();
    const bState = b.state;
    if (bState.code !== 'ready') throw new Error(`b is ${bState.code}`);
    const bPort = bState.udp.socket.address().port;
    // Loss on the SFU → B leg: every 4th RTP packet to B vanishes while `lossy` is set.
    const sfu = (server as unknown as { sfu: { send: UdpSend } }).sfu;
    const send = sfu.send;
    let lossy = true;
    let toB = 0;
    sfu.send = (packet, port, address) => {
      if (lossy && port === bPort && !isRtcp(packet) && ++toB % 4 === 0) return;
      send(packet, port, address);
    };
    const reports: number[] = [];
    const reporters = new Set<number>();
    a.on('receiverReport', (r) => {
      reporters.add(r.reporterSsrc);
      reports.push(r.block.fractionLost);
    });
    const tone = toneFrames(440, 1)[0]!;
    const pump = setInterval(() => {
      for (let i = 0; i < 2; i++) a.sendPcm(tone);
    }, 20);
    try {
      await waitFor(() => (a.encoderSettings?.bitrate ?? 64_000) <= 32_000, 10_000, 'bitrate down');
      expect(reports.some((f) => f > 50)).toBe(true);
      expect(a.encoderSettings?.fec).toBe(true);
      expect(a.encoderSettings?.packetLossPercent).toBeGreaterThanOrEqual(20);
      expect(b.receptionStats().get(a.ssrc)?.report().cumulativeLost).toBeGreaterThan(0);
      lossy = false;
      await waitFor(() => a.encoderSettings?.fec === false && a.encoderSettings.bitrate >= 64_000, 10_000, 'recovery');
      expect(reports.at(-1)).toBe(0);
      expect(server.stats.reportsForwarded).toBeGreaterThan(0);
      expect([...reporters]).toEqual([b.ssrc]);
    } finally {
      clearInterval(pump);
      sfu.send = send;
      a.disconnect();
      b.disconnect();
    }
  });
});
