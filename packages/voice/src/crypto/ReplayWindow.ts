/**
 * Sliding anti-replay window over a wrapping counter (RFC 3711 §3.3.2 in spirit): values more than `size` behind the
 * highest seen are refused, and so is any value already seen inside the window. Reordering within the window is fine.
 * Slots hold the full value, so moving the window forward needs no clearing.
 */
export class ReplayWindow {
  private readonly slots: Float64Array;
  private readonly modulus: number;
  private readonly half: number;
  private highest = -1;

  public constructor(
    bits: 16 | 32,
    private readonly size = 256,
  ) {
    this.slots = new Float64Array(size).fill(-1);
    this.modulus = 2 ** bits;
    this.half = 2 ** (bits - 1);
  }

  /** True when `value` has not been seen and is not too old; does not record it. */
  public check(value: number): boolean {
    if (this.highest < 0) return true;
    const diff = this.distance(value);
    if (diff > 0) return true;
    if (-diff >= this.size) return false;
    return this.slots[value % this.size] !== value;
  }

  /** Records `value` (call once the packet is authenticated, so forgeries cannot move the window). */
  public commit(value: number): void {
    if (this.highest < 0 || this.distance(value) > 0) this.highest = value;
    this.slots[value % this.size] = value;
  }

  private distance(value: number): number {
    // Serial-number arithmetic: the signed distance from the highest value, modulo the counter's range.
    return ((value - this.highest + this.half + this.modulus) % this.modulus) - this.half;
  }
}
