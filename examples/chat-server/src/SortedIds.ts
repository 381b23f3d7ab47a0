/**
 * Orders canonical snowflake strings (decimal, no leading zeros) as numbers without parsing them: a longer one is
 * larger, equal lengths compare as strings.
 */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A set of snowflake ids kept in ascending order, for pages such as `GET /guilds/:id/members?after=&limit=`: finding
 * the start is a binary search and a page costs its own length, whatever the size of the set. Insertion shifts the
 * array (a memmove); members join one at a time, and dev auth limits how fast (src/devAuth.ts).
 */
export class SortedIds {
  readonly #ids: string[];

  /** `compare` is replaceable so tests can count the comparisons. */
  constructor(
    ids: Iterable<string> = [],
    readonly compare: (a: string, b: string) => number = compareIds,
  ) {
    this.#ids = [...new Set(ids)].sort(compare);
  }

  get size(): number {
    return this.#ids.length;
  }

  /** Adds `id`; false when it was there already. */
  add(id: string): boolean {
    const i = this.#lowerBound(id);
    if (i < this.#ids.length && this.compare(this.#ids[i]!, id) === 0) return false;
    this.#ids.splice(i, 0, id);
    return true;
  }

  /** Removes `id`; false when it was not there. */
  delete(id: string): boolean {
    const i = this.#lowerBound(id);
    if (i >= this.#ids.length || this.compare(this.#ids[i]!, id) !== 0) return false;
    this.#ids.splice(i, 1);
    return true;
  }

  /** Up to `limit` ids greater than `after` (which need not be in the set), in ascending order. */
  after(after: string, limit: number): string[] {
    let i = this.#lowerBound(after);
    if (i < this.#ids.length && this.compare(this.#ids[i]!, after) === 0) i++;
    return this.#ids.slice(i, i + limit);
  }

  /** Index of the first id not less than `id`. */
  #lowerBound(id: string): number {
    let lo = 0;
    let hi = this.#ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.#ids[mid]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
