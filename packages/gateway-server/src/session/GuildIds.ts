import type { Snowflake } from '../types.js';

/** Past this many guilds a session's ids move into a Set (lookups stay O(1) for users in hundreds of guilds). */
const ARRAY_LIMIT = 8;
const NONE: readonly Snowflake[] = Object.freeze([]);

/**
 * The guilds a session receives events of, as a small set: an array while short, a Set past {@link ARRAY_LIMIT}. Most
 * sessions are in a handful of guilds, and a one-element Set (its hash table included) is ~170 bytes per connected
 * session where an exact-size array of one id is ~50. Iterates in insertion order, as a Set does.
 */
export class GuildIds implements Iterable<Snowflake> {
  #ids: readonly Snowflake[] | Set<Snowflake> = NONE;

  get size(): number {
    const ids = this.#ids;
    return ids instanceof Set ? ids.size : ids.length;
  }

  has(id: Snowflake): boolean {
    const ids = this.#ids;
    return ids instanceof Set ? ids.has(id) : ids.includes(id);
  }

  add(id: Snowflake): this {
    const ids = this.#ids;
    if (ids instanceof Set) ids.add(id);
    // concat makes an array of exactly the new length (a spread literal makes room for 16 more).
    else if (!ids.includes(id)) {
      this.#ids = ids.length === 0 ? single(id) : ids.length < ARRAY_LIMIT ? ids.concat(id) : new Set(ids).add(id);
    }
    return this;
  }

  delete(id: Snowflake): boolean {
    const ids = this.#ids;
    if (ids instanceof Set) return ids.delete(id);
    const at = ids.indexOf(id);
    if (at === -1) return false;
    this.#ids =
      ids.length === 1 ? NONE : ids.length === 2 ? single(ids[1 - at]!) : ids.slice(0, at).concat(ids.slice(at + 1));
    return true;
  }

  [Symbol.iterator](): Iterator<Snowflake> {
    return this.#ids[Symbol.iterator]();
  }
}

/**
 * One frozen array per guild id for the sessions in that one guild (most sessions of a community server): arrays are
 * never written, only replaced, so every such session can share it instead of holding its own (~56 bytes each).
 * Bounded: past {@link SINGLES_KEPT} guilds the table starts over (arrays already handed out stay valid).
 */
const singles = new Map<Snowflake, readonly Snowflake[]>();
const SINGLES_KEPT = 4096;
/** The array {@link single} answered last. */
let lastSingle: readonly Snowflake[] | undefined;

function single(id: Snowflake): readonly Snowflake[] {
  // The array handed out last first: a community server's sessions join the same guild one after another.
  if (lastSingle !== undefined && lastSingle[0] === id) return lastSingle;
  let known = singles.get(id);
  if (known === undefined) {
    if (singles.size >= SINGLES_KEPT) singles.clear();
    known = Object.freeze([id]);
    singles.set(id, known);
  }
  lastSingle = known;
  return known;
}
