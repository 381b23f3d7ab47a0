/**
 * Sliding anti-replay window over a monotonic index (RFC 3711 §3.3.2): an index more than `size` behind the highest
 * seen is refused, and so is any index already seen inside the window; reordering within the window is fine. The index
 * never wraps: callers extend wrapping counters first (SequenceReplayGuard for 16-bit RTP sequence numbers), or refuse
 * the wrap (32-bit nonce counters, whose wrap would reuse nonces under the same key). Slots hold the full index, so
 * moving the window forward needs no clearing.
 */
export class ReplayWindow {
  private readonly slots: Float64Array;
  private top = -1;

  /** `size` slots (default 256); indexes are integers in [0, 2⁵³). */
  public constructor(private readonly size = 256) {
    this.slots = new Float64Array(size).fill(-1);
  }

  /** The highest index committed so far, or -1. */
  public get highest(): number {
    return this.top;
  }

  /** True when `index` has not been seen and is not too old; does not record it. */
  public check(index: number): boolean {
    if (index > this.top) return true;
    if (this.top - index >= this.size) return false;
    return this.slots[index % this.size] !== index;
  }

  /** Records `index` (call once the packet is authenticated, so forgeries cannot move the window). */
  public commit(index: number): void {
    if (index > this.top) this.top = index;
    this.slots[index % this.size] = index;
  }
}
