/**
 * Maps a UTF-16 code unit so that comparing mapped units orders strings by code point, as UTF-8 bytes do: surrogates
 * (U+D800..U+DFFF, the halves of code points above U+FFFF) move above U+E000..U+FFFF. Without this, JavaScript's `<`
 * would disagree with the byte order SQLite (BINARY) and PostgreSQL (COLLATE "C") sort the same ids in.
 */
function codePointOrderUnit(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/**
 * The order of entity ids (and of partitions, for `listByRef`), as snowflakes are ordered: the shorter id first (length
 * in UTF-16 code units, as `string.length` counts), then by code point. Decimal snowflakes thus sort numerically
 * ('9' < '10' < '100000000000000000') and any other id (an invite code) still has one stable order in every adapter.
 */
export function compareEntityIds(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrderUnit(x) < codePointOrderUnit(y) ? -1 : 1;
  }
  return 0;
}
