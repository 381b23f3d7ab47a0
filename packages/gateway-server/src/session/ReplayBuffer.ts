import type { PreparedDispatch } from '../PreparedDispatch.js';

export interface ReplayEntry {
  seq: number;
  dispatch: PreparedDispatch;
  full: boolean;
}

/**
 * An entry kept as the means to build its dispatch again (READY, GUILD_CREATE): a session's own payloads, kept until
 * the client's first heartbeat, cost kilobytes per session as objects and a few dozen bytes as a builder over state
 * the server holds anyway. Built again only by a Resume that asks for it.
 */
export interface RebuildableEntry {
  seq: number;
  rebuild: () => PreparedDispatch;
  full: boolean;
}

/**
 * The last `capacity` dispatches of a session, oldest first, for Resume. A ring of references to shared
 * {@link PreparedDispatch} objects: nothing is copied per session. Grows lazily, so an idle session costs nothing.
 */
export class ReplayBuffer {
  readonly capacity: number;
  #items: (ReplayEntry | RebuildableEntry)[] = [];
  #start = 0;
  /** Highest seq no longer held (overwritten or acknowledged): a Resume from before it cannot be served. */
  #dropped = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#items.length;
  }

  push(entry: ReplayEntry | RebuildableEntry): void {
    if (this.#items.length < this.capacity) {
      this.#items.push(entry);
      return;
    }
    this.#dropped = this.#items[this.#start]!.seq;
    this.#items[this.#start] = entry;
    this.#start = (this.#start + 1) % this.capacity;
  }

  /**
   * Entries with `seq` greater than `after`, in order; null when some of them were already dropped (the client is
   * too far behind to resume).
   */
  since(after: number): ReplayEntry[] | null {
    if (after < this.#dropped) return null;
    const n = this.#items.length;
    const out: ReplayEntry[] = [];
    for (let i = 0; i < n; i++) {
      const entry = this.#items[(this.#start + i) % n]!;
      if (entry.seq > after) {
        if (out.length === 0 && entry.seq !== after + 1) return null;
        out.push('rebuild' in entry ? { seq: entry.seq, dispatch: entry.rebuild(), full: entry.full } : entry);
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
    const n = this.#items.length;
    let drop = 0;
    while (drop < n && this.#items[(this.#start + drop) % n]!.seq <= seq) drop++;
    if (drop === 0) return;
    this.#dropped = this.#items[(this.#start + drop - 1) % n]!.seq;
    if (drop === n) {
      this.#items = [];
      this.#start = 0;
      return;
    }
    const kept: (ReplayEntry | RebuildableEntry)[] = [];
    for (let i = drop; i < n; i++) kept.push(this.#items[(this.#start + i) % n]!);
    this.#items = kept;
    this.#start = 0;
  }

  clear(): void {
    this.#items = [];
    this.#start = 0;
  }
}
