/**
 * One string for equal per-connection texts (the peer address, the Host header): each socket reads its own copy
 * (~32 bytes), while thousands of sessions come from a few addresses through one host name. Bounded: past
 * {@link KEPT} texts the table starts over (strings already handed out stay valid, only no longer shared).
 */
const KEPT = 4096;
/**
 * Longer texts are not kept (a Host header is the client's to choose: the table must not hold 4,096 of 8 KB each);
 * an address is at most 45 characters.
 */
const LONGEST = 128;
const known = new Map<string, string>();
/**
 * The last string handed out per length (mod 8): a connection asks for its Host header, its peer address and, on
 * Identify, its resume URL, each nearly always the one the connection before it had. Compared first, it spares
 * hashing the new copy and a lookup in a table whose cache lines are long evicted between two connections (~0.3 µs
 * each in a perf profile of the Identify burst, issue #19).
 */
const recent: (string | undefined)[] = [
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
];

/** The table's string equal to `text` (`text` itself the first time, and always when it is long). */
export function sharedString(text: string): string {
  if (text.length > LONGEST) return text;
  const slot = text.length & 7;
  const last = recent[slot];
  if (last === text) return last;
  let found = known.get(text);
  if (found === undefined) {
    if (known.size >= KEPT) known.clear();
    known.set(text, text);
    found = text;
  }
  recent[slot] = found;
  return found;
}
