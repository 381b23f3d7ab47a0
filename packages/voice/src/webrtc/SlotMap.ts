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
  return { source: null, seqDelta: 0, tsDelta: 0, lastSeq: 0, lastTs: 0 };
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
    }
    t.lastSeq = (sequence + t.seqDelta) & 0xffff;
    t.lastTs = (timestamp + t.tsDelta) >>> 0;
    return [t.lastSeq, t.lastTs] as const;
  }
}
