import { PreparedDispatch } from '../PreparedDispatch.js';

export interface ReplayEntry {
  seq: number;
  dispatch: PreparedDispatch;
  full: boolean;
}

/**
 * Builds again the dispatches a session was sent as given seqs ({@link ReplayBuffer.pushRebuildable}): one object can
 * stand for several entries (a session's READY and its GUILD_CREATEs), told apart by their seq.
 */
export interface Rebuildable {
  rebuild(seq: number): PreparedDispatch;
}

/** What a slot holds: the dispatch, or the means to build it again. */
type Slot = PreparedDispatch | Rebuildable;

/**
 * The last `capacity` dispatches of a session, oldest first, for Resume. A ring of references to shared
 * {@link PreparedDispatch} objects: nothing is copied per session. Grows lazily, so an idle session costs nothing.
 *
 * Kept as one flat array of (slot, `seq * 2 + full`) pairs rather than an object per entry: every delivery to every
 * session pushes one, and an entry object per delivery, alive until the client's next heartbeat (~40 s), is what a
 * scavenge then copies and promotes — 200,000 of them for 20 messages to 10,000 sessions. One array rather than two
 * parallel ones, and sized exactly while short: after an Identify every connected session holds its READY and
 * GUILD_CREATE entries until its first heartbeat, and two arrays grown by `push` (room for 16 each) were ~400 bytes of
 * it per session. Entry objects are built only for a Resume, by {@link ReplayBuffer.since}.
 */
export class ReplayBuffer {
  readonly capacity: number;
  /** Slot `i` at `2i`, its tag `seq * 2 + (full ? 1 : 0)` at `2i + 1` (no allocation per entry). */
  #entries: (Slot | number)[] = NONE;
  /** Index of the oldest entry (in entries, not array cells) once the ring is full. */
  #start = 0;
  /** Highest seq no longer held (overwritten or acknowledged): a Resume from before it cannot be served. */
  #dropped = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#entries.length / 2;
  }

  /** Keeps a dispatch sent as `seq`. */
  push(seq: number, dispatch: PreparedDispatch, full: boolean): void {
    ReplayBuffer.#put(this, dispatch, seq * 2 + (full ? 1 : 0));
  }

  /**
   * Keeps, for `seq`, the means to build its dispatch again instead of the dispatch: a session's own payloads (READY,
   * GUILD_CREATE), kept until the client's first heartbeat, cost kilobytes per session as objects and a few dozen
   * bytes as a descriptor over state the server holds anyway. Built again only by a Resume that asks for it.
   */
  pushRebuildable(seq: number, rebuild: Rebuildable, full: boolean): void {
    ReplayBuffer.#put(this, rebuild, seq * 2 + (full ? 1 : 0));
  }

  // Static private methods, not instance ones: a class with private instance methods carries a brand field in every
  // instance (8 bytes per session here).
  static #put(buffer: ReplayBuffer, slot: Slot, tag: number): void {
    const entries = buffer.#entries;
    const n = entries.length;
    if (n < buffer.capacity * 2) {
      if (n >= EXACT_CELLS) {
        entries.push(slot, tag);
        return;
      }
      // Short: a new array of exactly the size (`push` would make room for 16 more cells on the first growth).
      const grown = new Array<Slot | number>(n + 2);
      for (let i = 0; i < n; i++) grown[i] = entries[i]!;
      grown[n] = slot;
      grown[n + 1] = tag;
      buffer.#entries = grown;
      return;
    }
    const at = buffer.#start * 2;
    buffer.#dropped = Math.floor((entries[at + 1] as number) / 2);
    entries[at] = slot;
    entries[at + 1] = tag;
    buffer.#start = (buffer.#start + 1) % buffer.capacity;
  }

  /** The tag of the `i`-th oldest entry. */
  static #tag(buffer: ReplayBuffer, i: number): number {
    const entries = buffer.#entries;
    return entries[((buffer.#start + i) % (entries.length / 2)) * 2 + 1] as number;
  }

  /**
   * Entries with `seq` greater than `after`, in order; null when some of them were already dropped (the client is
   * too far behind to resume).
   */
  since(after: number): ReplayEntry[] | null {
    if (after < this.#dropped) return null;
    const entries = this.#entries;
    const n = entries.length / 2;
    const out: ReplayEntry[] = [];
    for (let i = 0; i < n; i++) {
      const at = ((this.#start + i) % n) * 2;
      const tag = entries[at + 1] as number;
      const seq = Math.floor(tag / 2);
      if (seq > after) {
        if (out.length === 0 && seq !== after + 1) return null;
        const slot = entries[at] as Slot;
        out.push({ seq, dispatch: slot instanceof PreparedDispatch ? slot : slot.rebuild(seq), full: tag % 2 === 1 });
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
    const n = this.size;
    let drop = 0;
    while (drop < n && Math.floor(ReplayBuffer.#tag(this, drop) / 2) <= seq) drop++;
    if (drop === 0) return;
    this.#dropped = Math.floor(ReplayBuffer.#tag(this, drop - 1) / 2);
    if (drop === n) {
      this.clear();
      return;
    }
    const entries = this.#entries;
    const kept = new Array<Slot | number>((n - drop) * 2);
    for (let i = drop, j = 0; i < n; i++, j += 2) {
      const at = ((this.#start + i) % n) * 2;
      kept[j] = entries[at]!;
      kept[j + 1] = entries[at + 1]!;
    }
    this.#entries = kept;
    this.#start = 0;
  }

  clear(): void {
    this.#entries = NONE;
    this.#start = 0;
  }
}

/** Below this many cells (8 entries) the array is grown to its exact size; past it, by `push`. */
const EXACT_CELLS = 16;

/**
 * Shared by every empty buffer (never written: `#put` replaces it before its first entry, as it does every array
 * shorter than EXACT_CELLS).
 */
const NONE: (Slot | number)[] = [];
