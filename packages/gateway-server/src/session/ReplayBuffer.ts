import type { PreparedDispatch } from '../PreparedDispatch.js';

export interface ReplayEntry {
  seq: number;
  dispatch: PreparedDispatch;
  full: boolean;
}

/** What a slot holds: the dispatch, or the means to build it again ({@link ReplayBuffer.pushRebuildable}). */
type Slot = PreparedDispatch | (() => PreparedDispatch);

/**
 * The last `capacity` dispatches of a session, oldest first, for Resume. A ring of references to shared
 * {@link PreparedDispatch} objects: nothing is copied per session. Grows lazily, so an idle session costs nothing.
 *
 * Kept as two parallel arrays (the slot, and `seq * 2 + full`) rather than an object per entry: every delivery to
 * every session pushes one, and an entry object per delivery, alive until the client's next heartbeat (~40 s), is
 * what a scavenge then copies and promotes — 200,000 of them for 20 messages to 10,000 sessions. Entry objects are
 * built only for a Resume, by {@link ReplayBuffer.since}.
 */
export class ReplayBuffer {
  readonly capacity: number;
  #slots: Slot[] = [];
  /** `seq * 2 + (full ? 1 : 0)` per slot, a number array (no allocation per entry). */
  #tags: number[] = [];
  #start = 0;
  /** Highest seq no longer held (overwritten or acknowledged): a Resume from before it cannot be served. */
  #dropped = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Keeps a dispatch sent as `seq`. */
  push(seq: number, dispatch: PreparedDispatch, full: boolean): void {
    this.#put(dispatch, seq * 2 + (full ? 1 : 0));
  }

  /**
   * Keeps, for `seq`, the means to build its dispatch again instead of the dispatch: a session's own payloads (READY,
   * GUILD_CREATE), kept until the client's first heartbeat, cost kilobytes per session as objects and a few dozen
   * bytes as a builder over state the server holds anyway. Built again only by a Resume that asks for it.
   */
  pushRebuildable(seq: number, rebuild: () => PreparedDispatch, full: boolean): void {
    this.#put(rebuild, seq * 2 + (full ? 1 : 0));
  }

  #put(slot: Slot, tag: number): void {
    const slots = this.#slots;
    if (slots.length < this.capacity) {
      slots.push(slot);
      this.#tags.push(tag);
      return;
    }
    const at = this.#start;
    this.#dropped = Math.floor(this.#tags[at]! / 2);
    slots[at] = slot;
    this.#tags[at] = tag;
    this.#start = (at + 1) % this.capacity;
  }

  /**
   * Entries with `seq` greater than `after`, in order; null when some of them were already dropped (the client is
   * too far behind to resume).
   */
  since(after: number): ReplayEntry[] | null {
    if (after < this.#dropped) return null;
    const n = this.#slots.length;
    const out: ReplayEntry[] = [];
    for (let i = 0; i < n; i++) {
      const at = (this.#start + i) % n;
      const tag = this.#tags[at]!;
      const seq = Math.floor(tag / 2);
      if (seq > after) {
        if (out.length === 0 && seq !== after + 1) return null;
        const slot = this.#slots[at]!;
        out.push({ seq, dispatch: typeof slot === 'function' ? slot() : slot, full: tag % 2 === 1 });
      }
    }
    return out;
  }

  /**
   * Forgets the entries up to `seq` (inclusive): the client said it has them (op 1 carries its last seq), and a Resume
   * asks only for what follows the seq it holds. Keeps the buffer to about one heartbeat interval of dispatches
   * instead of `capacity` of them.
   */
  ackThrough(seq: number): void {
    const n = this.#slots.length;
    let drop = 0;
    while (drop < n && Math.floor(this.#tags[(this.#start + drop) % n]! / 2) <= seq) drop++;
    if (drop === 0) return;
    this.#dropped = Math.floor(this.#tags[(this.#start + drop - 1) % n]! / 2);
    if (drop === n) {
      this.clear();
      return;
    }
    const slots: Slot[] = [];
    const tags: number[] = [];
    for (let i = drop; i < n; i++) {
      const at = (this.#start + i) % n;
      slots.push(this.#slots[at]!);
      tags.push(this.#tags[at]!);
    }
    this.#slots = slots;
    this.#tags = tags;
    this.#start = 0;
  }

  clear(): void {
    this.#slots = [];
    this.#tags = [];
    this.#start = 0;
  }
}
