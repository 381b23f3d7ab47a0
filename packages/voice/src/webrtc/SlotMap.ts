/**
 * Which remote user each receive slot of a browser peer carries, and the RTP rewriting that keeps a slot's stream
 * continuous for the browser when it changes hands: the slot's SSRC, and sequence numbers and timestamps that go on
 * from where the previous user's stopped (a jump would look like a huge loss or a clock reset to the jitter buffer).
 */

/** A slot whose user sent nothing for this long may be given to someone else when every slot is taken. */
export const SLOT_IDLE_MS = 2_000;

/** Timestamp step assumed between two users' streams in one slot: one 20 ms Opus frame, one 30 fps video frame. */
const STEP = { audio: 960, video: 3_000 } as const;

interface Track {
  /** The SSRC of the room stream currently mapped here (null: nothing sent yet). */
  source: number | null;
  /** Slot sequence number of the current source's first packet: earlier ones belonged to someone else. */
  firstSeq: number;
  /** Sequence numbers the current source has advanced through in this slot (capped at half the number space). */
  span: number;
  seqDelta: number;
  tsDelta: number;
  lastSeq: number;
  lastTs: number;
}

interface Slot {
  userId: string | null;
  lastUsed: number;
  audio: Track;
  video: Track;
}

function track(): Track {
  return { source: null, firstSeq: 0, span: 0, seqDelta: 0, tsDelta: 0, lastSeq: 0, lastTs: 0 };
}

export class SlotMap {
  readonly #slots: Slot[];
  readonly #byUser = new Map<string, number>();

  public constructor(count: number) {
    this.#slots = Array.from({ length: count }, () => ({ userId: null, lastUsed: 0, audio: track(), video: track() }));
  }

  public get size(): number {
    return this.#slots.length;
  }

  /** The user a slot carries now, or null. */
  public userOf(index: number): string | null {
    return this.#slots[index]?.userId ?? null;
  }

  /**
   * The slot of `userId`, binding one when it has none (a free one, else the longest-idle one past SLOT_IDLE_MS).
   * `bound` is true when the binding is new (the page must be told). Null when every slot is busy.
   */
  public slotFor(userId: string, now: number): { index: number; bound: boolean } | null {
    const known = this.#byUser.get(userId);
    if (known !== undefined) {
      this.#slots[known]!.lastUsed = now;
      return { index: known, bound: false };
    }
    let pick = -1;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i]!;
      if (slot.userId === null) {
        pick = i;
        break;
      }
      if (now - slot.lastUsed >= SLOT_IDLE_MS && (pick < 0 || slot.lastUsed < this.#slots[pick]!.lastUsed)) pick = i;
    }
    if (pick < 0) return null;
    const slot = this.#slots[pick]!;
    if (slot.userId !== null) this.#byUser.delete(slot.userId);
    slot.userId = userId;
    slot.lastUsed = now;
    this.#byUser.set(userId, pick);
    return { index: pick, bound: true };
  }

  /** The room SSRC whose packets a slot carries now for `kind` (null before the first one). */
  public sourceOf(index: number, kind: 'audio' | 'video'): number | null {
    const slot = this.#slots[index];
    return slot && slot.userId !== null ? slot[kind].source : null;
  }

  /** The slot a user holds now, or null (no binding: a retransmission must not take a slot). */
  public indexOf(userId: string): number | null {
    return this.#byUser.get(userId) ?? null;
  }

  /**
   * Room → slot numbering of a packet sent before (a retransmission): [sequence, timestamp] as the browser saw them,
   * or null when `source` is not what the slot carries now or the packet is not one the slot sent for it. Nothing
   * changes: a retransmission must not move the slot's stream on.
   */
  public toSlot(index: number, kind: 'audio' | 'video', source: number, sequence: number, timestamp: number) {
    const t = this.#slots[index]?.[kind];
    if (!t || t.source !== source) return null;
    const seq = (sequence + t.seqDelta) & 0xffff;
    if (!this.#sentForSource(t, seq)) return null;
    return [seq, (timestamp + t.tsDelta) >>> 0] as const;
  }

  /**
   * Slot → room numbering of sequence numbers the browser reports lost (NACK): the room stream they came from and
   * its sequence numbers. Numbers from before the current source took the slot, or not sent yet, are left out.
   */
  public toRoom(index: number, kind: 'audio' | 'video', sequences: readonly number[]) {
    const t = this.#slots[index]?.[kind];
    if (!t || t.source === null) return null;
    const room: number[] = [];
    for (const seq of sequences) if (this.#sentForSource(t, seq)) room.push((seq - t.seqDelta) & 0xffff);
    return { source: t.source, sequences: room };
  }

  /**
   * Whether slot sequence number `seq` lies between the current source's first and last packet (mod 2^16; for a
   * long-running source, within the last half of the number space).
   */
  #sentForSource(t: Track, seq: number): boolean {
    return ((t.lastSeq - seq) & 0xffff) <= t.span;
  }

  /** Frees a user's slot (it left the room). */
  public release(userId: string): void {
    const index = this.#byUser.get(userId);
    if (index === undefined) return;
    this.#byUser.delete(userId);
    this.#slots[index]!.userId = null;
  }

  /**
   * Rewrites one packet's sequence number and timestamp for slot `index`: returns [sequence, timestamp] to send.
   * A new source SSRC in the slot continues one step after the last packet sent.
   */
  public rewrite(index: number, kind: 'audio' | 'video', source: number, sequence: number, timestamp: number) {
    const t = this.#slots[index]![kind];
    if (t.source !== source) {
      if (t.source === null) {
        t.seqDelta = 0;
        t.tsDelta = 0;
      } else {
        t.seqDelta = (t.lastSeq + 1 - sequence) & 0xffff;
        t.tsDelta = (t.lastTs + STEP[kind] - timestamp) >>> 0;
      }
      t.source = source;
      t.firstSeq = (sequence + t.seqDelta) & 0xffff;
      t.lastSeq = t.firstSeq;
      t.span = 0;
    }
    const seq = (sequence + t.seqDelta) & 0xffff;
    const ts = (timestamp + t.tsDelta) >>> 0;
    // A late (reordered) packet does not move the end back: the NACK mapping needs the highest one sent.
    const ahead = (seq - t.lastSeq) & 0xffff;
    if (ahead < 0x8000) {
      t.span = Math.min(0x7fff, t.span + ahead);
      t.lastSeq = seq;
      t.lastTs = ts;
    }
    return [seq, ts] as const;
  }
}
