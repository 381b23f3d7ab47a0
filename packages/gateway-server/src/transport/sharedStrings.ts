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

/** The table's string equal to `text` (`text` itself the first time, and always when it is long). */
export function sharedString(text: string): string {
  if (text.length > LONGEST) return text;
  const found = known.get(text);
  if (found !== undefined) return found;
  if (known.size >= KEPT) known.clear();
  known.set(text, text);
  return text;
}
