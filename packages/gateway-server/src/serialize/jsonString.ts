/** Printable ASCII but `"` and `\`: a string of only these is its own JSON text between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `JSON.stringify(value)` for a string, without the call into the runtime when nothing in it needs escaping (ids,
 * session ids, URLs, timestamps: READY and GUILD_CREATE write several per Identify, each a C++ entry of its own).
 */
export function jsonString(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}
