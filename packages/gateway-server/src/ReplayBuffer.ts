import type { PreparedDispatch } from './PreparedDispatch.js';

export interface ReplayEntry {
  seq: number;
  dispatch: PreparedDispatch;
  full: boolean;
}

/**
 * The last `capacity` dispatches of a session, oldest first, for Resume. A ring of references to shared
 * {@link PreparedDispatch} objects: nothing is copied per session. Grows lazily, so an idle session costs nothing.
 */
export class ReplayBuffer {
  readonly capacity: number;
  #items: ReplayEntry[] = [];
  #start = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#items.length;
  }

  push(entry: ReplayEntry): void {
    if (this.#items.length < this.capacity) {
      this.#items.push(entry);
      return;
    }
    this.#items[this.#start] = entry;
    this.#start = (this.#start + 1) % this.capacity;
  }

  /**
   * Entries with `seq` greater than `after`, in order; null when some of them were already dropped (the client is
   * too far behind to resume).
   */
  since(after: number): ReplayEntry[] | null {
    const n = this.#items.length;
    const out: ReplayEntry[] = [];
    for (let i = 0; i < n; i++) {
      const entry = this.#items[(this.#start + i) % n]!;
      if (entry.seq > after) {
        if (out.length === 0 && entry.seq !== after + 1) return null;
        out.push(entry);
      }
    }
    return out;
  }

  clear(): void {
    this.#items = [];
    this.#start = 0;
  }
}
