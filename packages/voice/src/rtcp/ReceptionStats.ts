import type { ReportBlock } from './Rtcp.js';

/** Opus RTP clock: 48 kHz. */
const CLOCK_PER_MS = 48;
/** A jump larger than this is a restart of the source, not loss (RFC 3550 A.1's MAX_DROPOUT). */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

/**
 * What a receiver knows about one source, kept as RFC 3550 Appendix A.3 and A.8 describe: extended highest sequence,
 * expected vs received counts (and the same at the previous report, for the fraction lost), and interarrival jitter.
 */
export class ReceptionStats {
  public received = 0;
  private baseSequence = -1;
  private maxSequence = 0;
  private cycles = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit: number | null = null;
  private jitterQ4 = 0;

  public constructor(public readonly ssrc: number) {}

  /** Records one packet: its RTP sequence and timestamp, and when it arrived (ms, any monotonic clock). */
  public update(sequence: number, timestamp: number, arrivalMs: number): void {
    if (this.baseSequence < 0) {
      this.baseSequence = sequence;
      this.maxSequence = sequence;
    } else {
      const delta = (sequence - this.maxSequence) & 0xffff;
      if (delta < MAX_DROPOUT) {
        if (sequence < this.maxSequence) this.cycles += 0x10000;
        this.maxSequence = sequence;
      } else if (delta <= 0x10000 - MAX_MISORDER) {
        // A big jump: the source restarted its numbering. Start over rather than count thousands of losses.
        this.restart(sequence);
      }
      // Otherwise a late or duplicated packet: counted as received, the highest stays.
    }
    this.received++;
    // Jitter (A.8) in timestamp units; kept ×16 so integer arithmetic keeps precision, as the RFC's code does.
    const transit = Math.round(arrivalMs * CLOCK_PER_MS) - timestamp;
    if (this.transit !== null) {
      let d = (transit - this.transit) | 0;
      if (d < 0) d = -d;
      this.jitterQ4 += d - ((this.jitterQ4 + 8) >> 4);
    }
    this.transit = transit;
  }

  private restart(sequence: number): void {
    this.baseSequence = sequence;
    this.maxSequence = sequence;
    this.cycles = 0;
    this.received = 0;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
  }

  public get extendedHighest(): number {
    return (this.cycles + this.maxSequence) >>> 0;
  }

  public get expected(): number {
    return this.baseSequence < 0 ? 0 : this.cycles + this.maxSequence - this.baseSequence + 1;
  }

  public get jitter(): number {
    return this.jitterQ4 >> 4;
  }

  /** The report block for this source; moves the "since last report" mark (call once per report sent). */
  public report(): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost =
      expectedInterval <= 0 || lostInterval <= 0
        ? 0
        : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    return {
      ssrc: this.ssrc,
      fractionLost,
      cumulativeLost: expected - this.received,
      highestSequence: this.extendedHighest,
      jitter: this.jitter,
      lastSenderReport: 0,
      delaySinceLastSenderReport: 0,
    };
  }
}
