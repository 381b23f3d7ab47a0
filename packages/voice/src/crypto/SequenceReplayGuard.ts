import { ReplayWindow } from './ReplayWindow.js';

/** RTP clock of Opus: 48 ticks per millisecond. */
const TICKS_PER_MS = 48;
/** Reordering never puts a packet this far behind the newest (2²⁰ ticks ≈ 21.8 s of audio). */
const TS_REORDER_LIMIT = 2 ** 20;
/**
 * How far a timestamp may run ahead of the wall clock (2²⁸ ticks ≈ 93 min of audio): covers senders that push audio
 * faster than real time. Beyond it, only the time that really passed since the newest packet explains a jump.
 */
const TS_AHEAD_ALLOWANCE = 2 ** 28;
/** The first packet's sequence number is extended into this cycle, so early reordered packets never go negative. */
const FIRST_CYCLE = 1024;
const TS_RANGE = 2 ** 32;

/**
 * Replay protection for the modes whose nonce is the RTP header itself (`xsalsa20_poly1305`) or random
 * (`xsalsa20_poly1305_suffix`), where the 16-bit sequence number is all there is to key on.
 *
 * Sequence numbers are extended with a rollover count (RFC 3550 A.1 / RFC 3711 §3.3.1: the index closest to the
 * highest seen) and checked in a ReplayWindow. That alone cannot tell an old packet from a new one once the sequence
 * has wrapped — RFC 3711 relies on the rollover count being authenticated, and here it is not — so a packet is also
 * refused when its 32-bit timestamp is behind the newest by more than reordering explains (and not plausibly ahead,
 * given the wall-clock time since the newest packet). In `xsalsa20_poly1305` the sequence and timestamp are the nonce,
 * so an attacker cannot change them: a capture is refused until its timestamp is nearly a full 2³² cycle old (≈ 24 h
 * of audio). `xsalsa20_poly1305_suffix` authenticates no header field at all, so there a replay with a rewritten header
 * cannot be told from a new packet by any receiver; only verbatim replays are refused.
 */
export class SequenceReplayGuard {
  private readonly window: ReplayWindow;
  private newestTs = 0;
  private newestAt = 0;

  public constructor(
    size = 256,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.window = new ReplayWindow(size);
  }

  /** The extended index of a packet that is neither replayed nor stale, else -1. Records nothing. */
  public check(sequence: number, timestamp: number): number {
    const highest = this.window.highest;
    if (highest < 0) return FIRST_CYCLE * 0x10000 + sequence;
    // Signed 16-bit distance from the highest sequence number seen: the nearest candidate wins.
    const index = highest + ((((sequence - highest) & 0xffff) ^ 0x8000) - 0x8000);
    if (index < 0 || !this.window.check(index)) return -1;
    return this.stale(timestamp) ? -1 : index;
  }

  /** Records an authenticated packet (the index `check` returned). */
  public commit(index: number, timestamp: number): void {
    const first = this.window.highest < 0;
    this.window.commit(index);
    if (first || this.ahead(timestamp)) {
      this.newestTs = timestamp;
      this.newestAt = this.now();
    }
  }

  private ahead(timestamp: number): boolean {
    const forward = (timestamp - this.newestTs + TS_RANGE) % TS_RANGE;
    return forward !== 0 && forward < TS_RANGE - TS_REORDER_LIMIT;
  }

  private stale(timestamp: number): boolean {
    if (this.window.highest < 0) return false;
    const forward = (timestamp - this.newestTs + TS_RANGE) % TS_RANGE;
    // At or slightly behind the newest (reordering), or a little ahead: the usual cases, no clock read.
    if (forward >= TS_RANGE - TS_REORDER_LIMIT || forward <= TS_AHEAD_ALLOWANCE) return false;
    // Far ahead is plausible only as far as real time has passed (a sender whose clock ran on through a silence).
    const plausible = TS_AHEAD_ALLOWANCE + TICKS_PER_MS * (this.now() - this.newestAt);
    return forward > plausible;
  }
}
