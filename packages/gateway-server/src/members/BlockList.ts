/**
 * A sorted list kept as a row of small sorted blocks (the "sorted containers" layout): find the block by binary
 * search on block maxima, then splice inside it. With n items and blocks of ~B, rank/insert/remove cost
 * O(log n + B) — binary searches, a memmove of at most 2B pointers, and a Fenwick tree over block lengths for ranks
 * (rebuilt in O(n/B) only when blocks split or merge, once per ~B changes). At 100 000 members and B = 512 that is one
 * short memmove plus a few dozen compares, cheaper in practice than the pointer chasing and per-node allocation of a
 * balanced tree, and its memory is one array slot per item.
 */
export class BlockList<T> {
  readonly #cmp: (a: T, b: T) => number;
  readonly #load: number;
  #blocks: T[][] = [];
  #size = 0;
  /** Fenwick tree (1-based) over block lengths; empty = stale, rebuilt on next use. */
  #fen: number[] = [];

  constructor(cmp: (a: T, b: T) => number, load = 512) {
    this.#cmp = cmp;
    this.#load = load;
  }

  get size(): number {
    return this.#size;
  }

  /** Replaces the contents with `sorted` (must already be in order). */
  load(sorted: T[]): void {
    this.#blocks = [];
    for (let i = 0; i < sorted.length; i += this.#load) this.#blocks.push(sorted.slice(i, i + this.#load));
    this.#size = sorted.length;
    this.#fen = [];
  }

  /** Inserts `item` after any equal ones; returns its rank. */
  insert(item: T): number {
    const blocks = this.#blocks;
    if (blocks.length === 0) {
      blocks.push([item]);
      this.#size = 1;
      this.#fen = [];
      return 0;
    }
    let b = this.#blockFor(item);
    if (b === blocks.length) b--;
    const block = blocks[b]!;
    const pos = this.#upperBound(block, item);
    block.splice(pos, 0, item);
    this.#size++;
    this.#fenAdd(b, 1);
    const rank = this.#before(b) + pos;
    if (block.length > 2 * this.#load) {
      blocks.splice(b + 1, 0, block.splice(this.#load));
      this.#fen = [];
    }
    return rank;
  }

  /** Removes the item comparing equal to `item`; returns the rank it had, or -1. */
  remove(item: T): number {
    const found = this.#find(item);
    if (!found) return -1;
    const [b, pos] = found;
    const blocks = this.#blocks;
    const block = blocks[b]!;
    const rank = this.#before(b) + pos;
    block.splice(pos, 1);
    this.#size--;
    this.#fenAdd(b, -1);
    if (block.length === 0) {
      blocks.splice(b, 1);
      this.#fen = [];
    } else if (block.length < this.#load >> 2 && b > 0) {
      // Merge thin blocks so that the block count, hence the n/B term, stays bounded under deletions.
      const prev = blocks[b - 1]!;
      for (const x of block) prev.push(x);
      blocks.splice(b, 1);
      if (prev.length > 2 * this.#load) blocks.splice(b, 0, prev.splice(this.#load));
      this.#fen = [];
    }
    return rank;
  }

  /** Swaps in `item` for the one comparing equal to it (same position); returns the rank, or -1. */
  replace(item: T): number {
    const found = this.#find(item);
    if (!found) return -1;
    this.#blocks[found[0]]![found[1]] = item;
    return this.#before(found[0]) + found[1];
  }

  rankOf(item: T): number {
    const found = this.#find(item);
    return found ? this.#before(found[0]) + found[1] : -1;
  }

  at(rank: number): T | undefined {
    if (rank < 0 || rank >= this.#size) return undefined;
    const [b, r] = this.#locate(rank);
    return this.#blocks[b]?.[r];
  }

  /** Items with rank in [from, to), in order. */
  *slice(from: number, to: number): Generator<T> {
    if (from >= this.#size) return;
    let [b, r] = this.#locate(Math.max(0, from));
    const blocks = this.#blocks;
    let left = Math.min(to, this.#size) - Math.max(0, from);
    for (; b < blocks.length && left > 0; b++, r = 0) {
      const block = blocks[b]!;
      for (; r < block.length && left > 0; r++, left--) yield block[r]!;
    }
  }

  *[Symbol.iterator](): Generator<T> {
    for (const block of this.#blocks) yield* block;
  }

  #fenBuild(): number[] {
    const blocks = this.#blocks;
    const fen = new Array<number>(blocks.length + 1).fill(0);
    for (let i = 1; i <= blocks.length; i++) {
      fen[i]! += blocks[i - 1]!.length;
      const parent = i + (i & -i);
      if (parent <= blocks.length) fen[parent]! += fen[i]!;
    }
    this.#fen = fen;
    return fen;
  }

  #fenAdd(b: number, delta: number): void {
    const fen = this.#fen;
    if (fen.length === 0) return;
    for (let i = b + 1; i < fen.length; i += i & -i) fen[i]! += delta;
  }

  /** Items in blocks before block b. */
  #before(b: number): number {
    const fen = this.#fen.length > 0 ? this.#fen : this.#fenBuild();
    let n = 0;
    for (let i = b; i > 0; i -= i & -i) n += fen[i]!;
    return n;
  }

  /** Block and offset of the item at `rank` (0 <= rank < size): a Fenwick descent. */
  #locate(rank: number): [number, number] {
    const fen = this.#fen.length > 0 ? this.#fen : this.#fenBuild();
    let pos = 0;
    let rest = rank;
    let step = 1;
    while (step * 2 < fen.length) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next < fen.length && fen[next]! <= rest) {
        pos = next;
        rest -= fen[next]!;
      }
    }
    return [pos, rest];
  }

  /** First block whose last item is >= item (blocks.length if none). */
  #blockFor(item: T): number {
    const blocks = this.#blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = blocks[mid]!;
      if (this.#cmp(block[block.length - 1]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #find(item: T): [number, number] | undefined {
    const b = this.#blockFor(item);
    const block = this.#blocks[b];
    if (!block) return undefined;
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cmp(block[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo < block.length && this.#cmp(block[lo]!, item) === 0 ? [b, lo] : undefined;
  }

  #upperBound(block: T[], item: T): number {
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cmp(block[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
