/** Packets kept per simulcast layer to answer NACKs with. */
export const RTX_CACHE_SIZE = 512;
/** Older packets are not resent: by then the receiver has asked for a keyframe or concealed the loss. */
export const RTX_CACHE_MAX_AGE_MS = 1_000;

/** One kept packet: its payload (a view into the opened packet, not a copy), timestamp and marker. */
export interface CachedPacket {
  sequence: number;
  timestamp: number;
  marker: boolean;
  /** The sender's payload type (names the codec, hence the receiver's RTX payload type). */
  payloadType: number;
  payload: Buffer;
  at: number;
}

/**
 * The last RTX_CACHE_SIZE packets of one layer, indexed by sequence number modulo the size: O(1) put and get, no
 * allocation after the ring is full (slots are reused), and a slot answers only for the exact sequence number it holds.
 */
export class RetransmissionCache {
  readonly #slots: (CachedPacket | undefined)[];
  readonly #mask: number;

  public constructor(size = RTX_CACHE_SIZE) {
    if (!Number.isInteger(Math.log2(size))) throw new RangeError('size must be a power of two');
    this.#slots = new Array(size);
    this.#mask = size - 1;
  }

  public put(
    sequence: number,
    timestamp: number,
    marker: boolean,
    payloadType: number,
    payload: Buffer,
    at: number,
  ): void {
    const index = sequence & this.#mask;
    const slot = this.#slots[index];
    if (slot) {
      slot.sequence = sequence;
      slot.timestamp = timestamp;
      slot.marker = marker;
      slot.payloadType = payloadType;
      slot.payload = payload;
      slot.at = at;
    } else this.#slots[index] = { sequence, timestamp, marker, payloadType, payload, at };
  }

  /** The packet with this sequence number if it is still kept and not older than `maxAge` ms at `now`. */
  public get(sequence: number, now: number, maxAge = RTX_CACHE_MAX_AGE_MS): CachedPacket | null {
    const slot = this.#slots[sequence & this.#mask];
    if (!slot || slot.sequence !== sequence || now - slot.at > maxAge) return null;
    return slot;
  }
}
