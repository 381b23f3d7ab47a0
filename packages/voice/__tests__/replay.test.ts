// Issue #12 item 11: replay protection must survive the wrap of the counter it is keyed on, in every mode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENCRYPTION_MODES, type EncryptionMode } from '../src/crypto/modes.js';
import { generateSecretKey, PacketCipher } from '../src/crypto/PacketCipher.js';
import { ReplayWindow } from '../src/crypto/ReplayWindow.js';
import { SequenceReplayGuard } from '../src/crypto/SequenceReplayGuard.js';
import { buildReceiverReport } from '../src/rtcp/Rtcp.js';
import { buildRtpHeader } from '../src/rtp/RtpHeader.js';
import { Sfu, type SfuMember } from '../src/server/Sfu.js';

const SEQUENCE_KEYED: readonly EncryptionMode[] = ['xsalsa20_poly1305', 'xsalsa20_poly1305_suffix'];
const COUNTER_KEYED = ENCRYPTION_MODES.filter((m) => !SEQUENCE_KEYED.includes(m));
const REPLAY = expect.objectContaining({ code: 'REPLAY' });

function packet(tx: PacketCipher, i: number, ssrc = 1234): Buffer {
  return tx.seal(
    buildRtpHeader({ sequence: i & 0xffff, timestamp: (i * 960) >>> 0, ssrc }),
    Buffer.from([0xfc, i & 0xff]),
  );
}

// The modes keyed on the 16-bit sequence number: 70,000 real packets (the counter modes are covered by the jumps below).
describe.each(SEQUENCE_KEYED.map((m) => [m]))('%s over a long stream', (mode) => {
  it('refuses a captured packet replayed after more than 65,536 packets', () => {
    const key = generateSecretKey();
    const tx = new PacketCipher(mode, key, { initialCounter: 1 });
    const rx = new PacketCipher(mode, key);
    let captured: Buffer | null = null;
    // 70,000 packets: the capture (#30,000) is 40,000 behind the newest, i.e. "ahead" in 16-bit serial arithmetic.
    for (let i = 0; i < 70_000; i++) {
      const p = packet(tx, i);
      if (i === 30_000) captured = p;
      rx.open(p);
    }
    expect(() => rx.open(captured!)).toThrow(REPLAY);
    // The stream itself goes on.
    expect(rx.open(packet(tx, 70_000)).sequence).toBe(70_000 & 0xffff);
  });
});

describe.each(ENCRYPTION_MODES.map((m) => [m]))('%s', (mode) => {
  it('refuses a replay across jumps of the sequence and timestamp', () => {
    const key = generateSecretKey();
    const tx = new PacketCipher(mode, key, { initialCounter: 1 });
    const rx = new PacketCipher(mode, key);
    const captured = packet(tx, 0);
    rx.open(captured);
    for (const i of [20_000, 40_000]) rx.open(packet(tx, i));
    expect(() => rx.open(captured)).toThrow(REPLAY);
  });

  it('refuses a replayed RTCP packet', () => {
    const key = generateSecretKey();
    const tx = new PacketCipher(mode, key, { initialCounter: 1 });
    const rx = new PacketCipher(mode, key);
    const rr = tx.sealRtcp(buildReceiverReport(77, []));
    rx.openRtcp(rr);
    expect(() => rx.openRtcp(rr)).toThrow(REPLAY);
  });
});

describe.each(COUNTER_KEYED.map((m) => [m]))('%s (32-bit nonce counter)', (mode) => {
  it('never lets the counter wrap: a counter 2³¹ behind the newest is old, not "ahead"', () => {
    const key = generateSecretKey();
    const rx = new PacketCipher(mode, key);
    const at = (counter: number, i: number) => packet(new PacketCipher(mode, key, { initialCounter: counter }), i);
    const captured = at(0, 0);
    rx.open(captured);
    // Each step is less than half the range, so serial arithmetic calls each one "ahead" — and then the capture too.
    for (const [n, counter] of [0x40000000, 0x80000000, 0xc0000000].entries()) rx.open(at(counter, n + 1));
    expect(() => rx.open(captured)).toThrow(REPLAY);
    // A wrapped counter reuses nonces under the same key: refused as well (the sender must re-key).
    expect(() => rx.open(at(5, 9))).toThrow(REPLAY);
  });
});

describe('ReplayWindow (monotonic index)', () => {
  it('matches a Set-based model, whatever the jumps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 2 ** 40 })), { maxLength: 300 }),
        (values) => {
          const w = new ReplayWindow(64);
          const seen = new Set<number>();
          let highest = -1;
          for (const v of values) {
            const expected = !seen.has(v) && (highest < 0 || v > highest - 64);
            expect(w.check(v)).toBe(expected);
            if (expected) {
              w.commit(v);
              seen.add(v);
              highest = Math.max(highest, v);
            }
          }
        },
      ),
    );
  });
});

describe('SequenceReplayGuard', () => {
  function guard(start = 0) {
    let now = start;
    const g = new SequenceReplayGuard(256, () => now);
    const accept = (seq: number, ts: number): boolean => {
      const index = g.check(seq & 0xffff, ts >>> 0);
      if (index < 0) return false;
      g.commit(index, ts >>> 0);
      return true;
    };
    return { accept, advance: (ms: number) => (now += ms) };
  }

  it('accepts reordering inside the window across the 16-bit wrap, refuses duplicates and stale packets', () => {
    const { accept } = guard();
    for (const [seq, ts] of [
      [65530, 100],
      [65533, 3 * 960 + 100],
      [65531, 960 + 100],
      [2, 8 * 960 + 100],
      [1, 7 * 960 + 100],
    ] as const) {
      expect(accept(seq, ts)).toBe(true);
    }
    expect(accept(65533, 3 * 960 + 100)).toBe(false);
    expect(accept(2, 8 * 960 + 100)).toBe(false);
    expect(accept(65532, 2 * 960 + 100)).toBe(true);
    expect(accept(65000, 0)).toBe(false);
  });

  it('follows a sender that pauses (timestamp continues) and one whose clock runs on (timestamp jumps)', () => {
    const paused = guard();
    for (let i = 0; i < 100; i++) expect(paused.accept(i, i * 960)).toBe(true);
    paused.advance(13 * 3600 * 1000);
    expect(paused.accept(100, 100 * 960)).toBe(true);
    // A sequence number ahead of the window with a timestamp far behind the newest: an old packet, refused.
    expect(paused.accept(150, 100 * 960 - (1 << 21))).toBe(false);
    // A little behind (reordering) is fine.
    expect(paused.accept(151, 100 * 960 - 5 * 960)).toBe(true);

    const clocked = guard();
    for (let i = 0; i < 100; i++) expect(clocked.accept(i, i * 960)).toBe(true);
    // Silent for 13 hours with a 48 kHz clock running: the timestamp moved by more than 2³¹.
    clocked.advance(13 * 3600 * 1000);
    const jumped = 99 * 960 + 13 * 3600 * 48_000;
    expect(clocked.accept(100, jumped)).toBe(true);
    expect(clocked.accept(101, jumped + 960)).toBe(true);
    expect(clocked.accept(50, 50 * 960)).toBe(false);
  });

  it('refuses, at any point of a long stream, a packet captured more than the window ago', () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 200_000 }), fc.integer({ min: 300, max: 200_000 }), (length, back) => {
        const { accept, advance } = guard();
        const base = 12345;
        const at = (i: number) => [(base + i) & 0xffff, (i * 960) >>> 0] as const;
        // Only the ends matter: a sender sending every 20 ms moves the window the same way.
        const capturedAt = Math.max(0, length - back);
        expect(accept(...at(capturedAt))).toBe(true);
        for (let i = capturedAt + 1; i <= length; i += Math.max(1, Math.floor((length - capturedAt) / 8))) {
          advance(20 * 8);
          accept(...at(i));
        }
        accept(...at(length));
        // Stale (behind the window, or its timestamp far behind) or a duplicate inside the window: refused either way.
        expect(accept(...at(capturedAt))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe.each(ENCRYPTION_MODES.map((m) => [m]))('%s sealing', (mode) => {
  it('stops at the end of the nonce counter instead of wrapping to a nonce already used', () => {
    const key = generateSecretKey();
    const exhausted = expect.objectContaining({ code: 'NONCE_EXHAUSTED' });
    const rtcp = new PacketCipher(mode, key, { initialCounter: 0xffffffff });
    rtcp.sealRtcp(buildReceiverReport(1, []));
    expect(() => rtcp.sealRtcp(buildReceiverReport(1, []))).toThrow(exhausted);
    if (COUNTER_KEYED.includes(mode)) {
      const rtp = new PacketCipher(mode, key, { initialCounter: 0xfffffffe });
      packet(rtp, 1);
      packet(rtp, 2);
      expect(() => packet(rtp, 3)).toThrow(exhausted);
    }
  });
});

describe('Sfu fan-out when a listener runs out of nonces', () => {
  it('skips that listener (counted, reported to the owner) and still serves the others', () => {
    const key = generateSecretKey();
    const sent: number[] = [];
    const sfu = new Sfu((_packet, port) => sent.push(port));
    const exhausted: string[] = [];
    sfu.onCipherExhausted = (m) => exhausted.push(m.userId);
    const member = (userId: string, ssrc: number, initialCounter?: number): SfuMember => {
      const m: SfuMember = {
        userId,
        ssrc,
        room: 'r',
        mode: 'aead_aes256_gcm_rtpsize',
        cipher: new PacketCipher(
          'aead_aes256_gcm_rtpsize',
          key,
          initialCounter === undefined ? {} : { initialCounter },
        ),
        remote: null,
        muted: false,
        deafened: false,
        silenceRun: 0,
      };
      sfu.add(m);
      sfu.bindRemote(m, '10.0.0.1', ssrc);
      return m;
    };
    member('speaker', 1);
    member('worn', 2, 0xffffffff);
    member('fresh', 3);
    const tx = new PacketCipher('aead_aes256_gcm_rtpsize', key, { initialCounter: 1 });
    for (let i = 0; i < 3; i++) sfu.handle(packet(tx, i, 1), '10.0.0.1', 1);
    // "worn" got its last nonce (0xFFFFFFFF) once, then nothing: no wrapped nonce ever went out.
    expect(sent.filter((p) => p === 2)).toHaveLength(1);
    expect(sent.filter((p) => p === 3)).toHaveLength(3);
    expect(sfu.stats.dropped.exhausted).toBe(2);
    expect(exhausted).toEqual(['worn', 'worn']);
  });
});
