/**
 * Extends 16-bit RTP sequence numbers and 32-bit timestamps into monotonic counters, relative to the newest packet seen,
 * so that wrap-around (65535 → 0, 2³²−1 → 0) is invisible to the buffer. Numbers stay exact well past 2⁵³ / 2³².
 */
export interface RtpUnwrapper {
  /** Extended values for a packet, plus the signed sequence step from the newest packet seen so far. */
  unwrap(sequence: number, timestamp: number): { seq: number; ts: number; seqDelta: number };
  /** Starts over, the next packet becomes the new origin. */
  reset(): void;
}

export function createRtpUnwrapper(): RtpUnwrapper {
  let newestSeq: number | null = null;
  let newestTs = 0;
  return {
    unwrap(sequence, timestamp) {
      const seq16 = sequence & 0xffff;
      const ts32 = timestamp >>> 0;
      if (newestSeq === null) {
        // Start in the middle of the extended range so that early reordered packets never go negative.
        newestSeq = 0x10000 * 1024 + seq16;
        newestTs = 0x1_0000_0000 * 1024 + ts32;
        return { seq: newestSeq, ts: newestTs, seqDelta: 0 };
      }
      const seqDelta = (((seq16 - (newestSeq & 0xffff)) << 16) >> 16) | 0;
      const tsDelta = (ts32 - (newestTs % 0x1_0000_0000)) | 0;
      const seq = newestSeq + seqDelta;
      const ts = newestTs + tsDelta;
      if (seqDelta > 0) {
        newestSeq = seq;
        newestTs = ts;
      }
      return { seq, ts, seqDelta };
    },
    reset() {
      newestSeq = null;
    },
  };
}
