import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDelayHistogram,
  createFixedDelayBuffer,
  createJitterBuffer,
  createRtpUnwrapper,
  type JitterBuffer,
  type JitterBufferCommonOptions,
  type JitterStats,
  type PullResult,
} from '../src/jitter/index.js';

const FRAME = 960;
const speech = (seq: number) => new Uint8Array([0xfc, seq >> 8, seq & 0xff, 1, 2, 3]);
const pkt = (sequence: number, arrivalMs: number, opts: { ts?: number; payload?: Uint8Array } = {}) => ({
  sequence: sequence & 0xffff,
  timestamp: (opts.ts ?? sequence * FRAME) >>> 0,
  payload: opts.payload ?? speech(sequence & 0xffff),
  arrivalMs,
});

/** Received packets are all accounted for, once. */
function accounted(s: JitterStats): number {
  return s.played + s.late + s.duplicates + s.overflow + s.flushed + s.shrinkDropped + s.buffered;
}

const factories: [string, (opts?: JitterBufferCommonOptions) => JitterBuffer][] = [
  ['adaptive', (opts) => createJitterBuffer(opts)],
  ['fixed 40 ms', (opts) => createFixedDelayBuffer({ delayMs: 40, ...opts })],
];

function pullMany(b: JitterBuffer, from: number, count: number, step = 20): PullResult[] {
  const out: PullResult[] = [];
  for (let i = 0; i < count; i++) out.push(b.pull(from + i * step));
  return out;
}
const audioSeqs = (rs: PullResult[]) => rs.flatMap((r) => (r.kind === 'audio' ? [r.sequence] : []));
/** Concealed frames between the first and the last audio frame (the stream's end is concealed for a few frames). */
function concealedInside(rs: PullResult[]): number {
  const first = rs.findIndex((r) => r.kind === 'audio');
  const last = rs.findLastIndex((r) => r.kind === 'audio');
  return rs.slice(first, last + 1).filter((r) => r.kind === 'concealed').length;
}

describe.each(factories)('jitter buffer (%s)', (_name, make) => {
  it('restores the order of reordered packets', () => {
    const b = make();
    const order = [0, 2, 1, 4, 3, 6, 5, 7];
    for (const [i, seq] of order.entries()) b.push(pkt(seq, i));
    expect(audioSeqs(pullMany(b, 10, 30))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('drops duplicates, buffered or already played', () => {
    const b = make();
    expect(b.push(pkt(0, 0))).toBe('buffered');
    expect(b.push(pkt(0, 1))).toBe('duplicate');
    b.push(pkt(1, 20));
    const played = audioSeqs(pullMany(b, 100, 5));
    expect(played).toEqual([0, 1]);
    expect(b.push(pkt(0, 200))).toBe('duplicate');
    const s = b.stats();
    expect(s.duplicates).toBe(2);
    expect(s.late).toBe(0);
    expect(accounted(s)).toBe(s.received);
  });

  it('conceals a loss, then counts and discards the packet when it arrives late', () => {
    const calls: number[] = [];
    const b = make({
      conceal: (n) => {
        calls.push(n);
        return new Int16Array(4);
      },
    });
    for (let seq = 0; seq < 10; seq++) if (seq !== 3) b.push(pkt(seq, seq * 20));
    const out = pullMany(b, 100, 12);
    const concealedAt = out.findIndex((r) => r.kind === 'concealed');
    expect(audioSeqs(out.slice(0, concealedAt))).toEqual([0, 1, 2]);
    const c = out[concealedAt]!;
    expect(c.kind === 'concealed' && c.reason === 'loss' && c.payload instanceof Int16Array).toBe(true);
    expect(calls[0]).toBe(1);
    expect(audioSeqs(out.slice(concealedAt))).toEqual([4, 5, 6, 7, 8, 9]);
    expect(concealedInside(out)).toBe(1);
    expect(b.push(pkt(3, 500))).toBe('late');
    const s = b.stats();
    expect(s.late).toBe(1);
    expect(accounted(s)).toBe(s.received);
  });

  it('plays across 16-bit sequence and 32-bit timestamp wrap-around', () => {
    const b = make();
    const start = 0xffff - 4;
    const ts0 = 0x1_0000_0000 - 3 * FRAME;
    for (let i = 0; i < 10; i++) b.push(pkt(start + i, i * 20, { ts: ts0 + i * FRAME }));
    const out = pullMany(b, 10, 20);
    expect(audioSeqs(out)).toEqual([65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4]);
    expect(concealedInside(out)).toBe(0);
  });

  it('treats a big sequence jump as a new stream, not thousands of losses', () => {
    const b = make();
    for (let i = 0; i < 5; i++) b.push(pkt(i, i * 20));
    pullMany(b, 10, 10);
    const base = 30_000;
    let result = '';
    for (let i = 0; i < 5; i++) {
      const r = b.push(pkt(base + i, 300 + i * 20, { ts: 123_456_789 + i * FRAME }));
      if (i === 0) result = r;
    }
    expect(result).toBe('reset');
    const played = audioSeqs(pullMany(b, 300, 20));
    expect(played).toEqual([30_000, 30_001, 30_002, 30_003, 30_004]);
    const s = b.stats();
    expect(s.resets).toBe(1);
    // Only the two streams' ends were concealed (5 frames at most each), not the 30 000 "missing" sequence numbers.
    expect(s.lost).toBeLessThanOrEqual(10);
    expect(accounted(s)).toBe(s.received);
  });

  it('resynchronises when a sender resumes after a pause without advancing its timestamps', () => {
    const b = make();
    for (let i = 0; i < 5; i++) b.push(pkt(i, i * 20));
    pullMany(b, 10, 149); // the playout clock keeps running through the pause
    // Three seconds later, the sequence continues and so do the timestamps, as if no time had passed.
    for (let i = 5; i < 10; i++) b.push(pkt(i, 3000 + (i - 5) * 20));
    const out = pullMany(b, 3000, 20);
    expect(audioSeqs(out)).toEqual([5, 6, 7, 8, 9]);
    expect(b.stats().late).toBe(0);
    expect(b.stats().resets).toBe(1);
  });

  it('plays silence, not concealment, after a DTX silence frame', () => {
    const b = make();
    for (let i = 0; i < 5; i++) b.push(pkt(i, i * 20));
    b.push(pkt(5, 100, { payload: new Uint8Array([0xf8, 0xff, 0xfe]) }));
    const out = pullMany(b, 50, 15);
    const afterSilenceFrame = out.slice(out.findIndex((r) => r.kind === 'audio' && r.sequence === 5) + 1);
    expect(afterSilenceFrame.length).toBeGreaterThan(3);
    expect(afterSilenceFrame.every((r) => r.kind === 'silence')).toBe(true);
  });

  it('stops concealing a few frames after the stream stops without a silence frame', () => {
    const b = make();
    for (let i = 0; i < 5; i++) b.push(pkt(i, i * 20));
    const out = pullMany(b, 50, 40);
    expect(out.filter((r) => r.kind === 'concealed').length).toBe(5);
    expect(out.at(-1)!.kind).toBe('silence');
  });

  it('infers 40 ms frames from timestamps and keeps pulling every 20 ms', () => {
    const b = make();
    for (let i = 0; i < 8; i++) b.push(pkt(i, i * 40, { ts: i * 2 * FRAME }));
    const out = pullMany(b, 10, 40);
    expect(audioSeqs(out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const audio = out.filter((r) => r.kind === 'audio');
    expect(audio.every((r) => r.kind === 'audio' && r.durationMs === 40)).toBe(true);
    expect(concealedInside(out)).toBe(0);
    // Between two 40 ms frames, the 20 ms tick in the middle gets `empty`: the frame is still playing.
    const i = out.findIndex((r) => r.kind === 'audio');
    expect(out[i + 1]!.kind).toBe('empty');
  });

  it('plays any reordering of a burst in order, each frame once, duplicates included (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc
          .integer({ min: 2, max: 40 })
          .chain((n) =>
            fc.tuple(
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
              fc.array(fc.nat(n - 1)),
            ),
          ),
        (start, [order, dups]) => {
          const b = make({ capacity: 512 });
          const n = order.length;
          for (const i of [...order, ...dups]) b.push(pkt(start + i, 0, { ts: (start + i) * FRAME }));
          const out = pullMany(b, 100, n + 10);
          const expected = [...Array(n).keys()].map((i) => (start + i) & 0xffff);
          return JSON.stringify(audioSeqs(out)) === JSON.stringify(expected) && b.stats().duplicates === dups.length;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('accounts for every packet and never throws, whatever arrives (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            seqStep: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 0xffff })),
            tsJitter: fc.integer({ min: -3000, max: 3000 }),
            gapMs: fc.integer({ min: 0, max: 200 }),
            pulls: fc.integer({ min: 0, max: 4 }),
            payloadLength: fc.integer({ min: 0, max: 8 }),
          }),
          { maxLength: 300 },
        ),
        (ops) => {
          const b = make();
          let seq = 1000;
          let now = 0;
          for (const op of ops) {
            seq = (seq + op.seqStep) & 0xffff;
            now += op.gapMs;
            b.push({
              sequence: seq,
              timestamp: (seq * FRAME + op.tsJitter) >>> 0,
              payload: new Uint8Array(op.payloadLength),
              arrivalMs: now,
            });
            for (let i = 0; i < op.pulls; i++) b.pull(now + i * 20);
            const s = b.stats();
            if (accounted(s) !== s.received) return false;
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('adaptive target delay', () => {
  it('stays within 20–500 ms under any arrival pattern (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            delay: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 5000 })),
            lost: fc.boolean(),
            reorder: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 400 },
        ),
        (frames) => {
          const b = createJitterBuffer();
          const arrivals = frames
            .map((f, i) => ({ i, at: i * 20 + f.delay + f.reorder * 20, lost: f.lost }))
            .filter((a) => !a.lost)
            .sort((x, y) => x.at - y.at);
          let k = 0;
          const end = frames.length * 20 + 6000;
          for (let now = 0; now < end; now += 20) {
            while (k < arrivals.length && arrivals[k]!.at <= now) {
              const a = arrivals[k++]!;
              b.push(pkt(a.i, a.at));
            }
            b.pull(now);
            const t = b.stats().targetDelayMs;
            if (t < 20 || t > 500) return false;
          }
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('honours custom bounds', () => {
    const b = createJitterBuffer({ minDelayMs: 60, maxDelayMs: 80 });
    for (let i = 0; i < 200; i++) b.push(pkt(i, i * 20 + (i % 2 ? 300 : 0)));
    expect(b.stats().targetDelayMs).toBe(80);
    const c = createJitterBuffer({ minDelayMs: 60, maxDelayMs: 80 });
    for (let i = 0; i < 200; i++) c.push(pkt(i, i * 20));
    expect(c.stats().targetDelayMs).toBe(60);
  });
});

describe('RTP unwrapper', () => {
  it('extends sequence numbers and timestamps monotonically across wraps (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.integer({ min: -100, max: 3000 }), { maxLength: 200 }),
        (seq0, ts0, steps) => {
          const u = createRtpUnwrapper();
          const first = u.unwrap(seq0, ts0);
          let seq = 0;
          for (const step of steps) {
            // Reordering looks backwards from the newest packet; keep within what is unambiguous.
            const next = Math.max(seq + step, seq - 100);
            const r = u.unwrap((seq0 + next) & 0xffff, (ts0 + next * FRAME) >>> 0);
            if (r.seq - first.seq !== next || r.ts - first.ts !== next * FRAME) return false;
            if (next > seq) seq = next;
          }
          return true;
        },
      ),
    );
  });
});

describe('delay histogram', () => {
  it('reports the quantile and forgets old samples', () => {
    const h = createDelayHistogram({ bucketMs: 2, maxMs: 500, forgetFactor: 0.99 });
    expect(h.quantile(0.5)).toBeNull();
    for (let i = 0; i < 100; i++) h.add(i);
    expect(h.quantile(0.5)).toBe(50);
    expect(h.quantile(1)).toBe(100);
    for (let i = 0; i < 1000; i++) h.add(10);
    expect(h.quantile(0.99)).toBe(12);
    h.shift(5);
    expect(h.quantile(0.99)).toBe(22);
  });
});
