// UTF-8 <-> string without Buffer (browser too). TextDecoder/TextEncoder cost a few hundred ns per call from JS, which
// dominates for the short keys and values gateway payloads are made of, so short ASCII runs are handled by hand.

// ignoreBOM: keep a leading U+FEFF as a character, as V8's UTF-8 decoder (erlpack) does; replacement (not fatal) for
// malformed bytes, also as erlpack.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();
const fromCharCode = String.fromCharCode;

/** Below this many bytes, hand-decoding ASCII beats a TextDecoder call. */
const SHORT_DECODE = 32;

// One array per length, reused: apply() copies the units out, so nothing escapes.
const unitPool: number[][] = Array.from({ length: SHORT_DECODE + 1 }, (_, n) => new Array<number>(n).fill(0));

export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len <= 8) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c >= 0x80) return decodeShortUtf8(b, start, end);
      s += fromCharCode(c);
    }
    return s;
  }
  if (len <= SHORT_DECODE) {
    const units = unitPool[len]!;
    for (let i = 0; i < len; i++) {
      const c = b[start + i]!;
      if (c >= 0x80) return decodeShortUtf8(b, start, end);
      units[i] = c;
    }
    return fromCharCode.apply(null, units);
  }
  return decoder.decode(b.subarray(start, end));
}

const scratch: number[] = new Array<number>(SHORT_DECODE).fill(0);

/** Well-formed UTF-8 by hand; anything malformed goes to TextDecoder, whose U+FFFD rules are the standard's. */
function decodeShortUtf8(b: Uint8Array, start: number, end: number): string {
  let n = 0;
  let i = start;
  while (i < end) {
    const c = b[i++]!;
    if (c < 0x80) {
      scratch[n++] = c;
    } else if (c >= 0xc2 && c < 0xe0) {
      const c1 = i < end ? b[i++]! : 0;
      if ((c1 & 0xc0) !== 0x80) return decoder.decode(b.subarray(start, end));
      scratch[n++] = ((c & 0x1f) << 6) | (c1 & 0x3f);
    } else if (c >= 0xe0 && c < 0xf0) {
      if (i + 2 > end) return decoder.decode(b.subarray(start, end));
      const c1 = b[i++]!;
      const c2 = b[i++]!;
      const cp = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
      if (((c1 & 0xc0) | ((c2 & 0xc0) >> 2)) !== 0xa0 || cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) {
        return decoder.decode(b.subarray(start, end));
      }
      scratch[n++] = cp;
    } else if (c >= 0xf0 && c < 0xf5) {
      if (i + 3 > end) return decoder.decode(b.subarray(start, end));
      const c1 = b[i++]!;
      const c2 = b[i++]!;
      const c3 = b[i++]!;
      let cp = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
      if (((c1 & 0xc0) | ((c2 & 0xc0) >> 2) | ((c3 & 0xc0) >> 4)) !== 0xa8 || cp < 0x10000 || cp > 0x10ffff) {
        return decoder.decode(b.subarray(start, end));
      }
      cp -= 0x10000;
      scratch[n++] = 0xd800 + (cp >> 10);
      scratch[n++] = 0xdc00 + (cp & 0x3ff);
    } else {
      return decoder.decode(b.subarray(start, end));
    }
  }
  const units = unitPool[n]!;
  for (let k = 0; k < n; k++) units[k] = scratch[k]!;
  return fromCharCode.apply(null, units);
}

/**
 * Writes `s` as UTF-8 at `pos` (room for 3 bytes per UTF-16 unit must be there) and returns the new position. Lone
 * surrogates become U+FFFD, as TextEncoder and erlpack do.
 */
export function encodeUtf8(s: string, out: Uint8Array, pos: number): number {
  const len = s.length;
  if (len > 64) return pos + encoder.encodeInto(s, out.subarray(pos)).written;
  // ASCII run first: the whole string, nearly always.
  let i = 0;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    out[pos + i] = c;
  }
  pos += i;
  for (; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < len ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[pos++] = 0xf0 | (c >> 18);
          out[pos++] = 0x80 | ((c >> 12) & 0x3f);
          out[pos++] = 0x80 | ((c >> 6) & 0x3f);
          out[pos++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

// Map keys repeat (every member of a GUILD_CREATE carries the same dozen), so the strings for short ASCII keys are
// kept in a small direct-mapped table: a hit costs a hash and a compare, allocates nothing, and hands V8 a string it
// has already internalised as a property name.
const KEY_SLOTS = 2048;
const MAX_CACHED_KEY = 32;
const keyTable: string[] = new Array<string>(KEY_SLOTS).fill('');

export function decodeKey(b: Uint8Array, start: number, len: number): string {
  if (len > MAX_CACHED_KEY || len === 0) return decodeUtf8(b, start, start + len);
  let h = len;
  let high = 0;
  for (let i = start; i < start + len; i++) {
    const c = b[i]!;
    high |= c;
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (high >= 0x80) return decodeUtf8(b, start, start + len);
  const slot = (h ^ (h >>> 15)) & (KEY_SLOTS - 1);
  const cached = keyTable[slot]!;
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === b[start + i]) i++;
    if (i === len) return cached;
  }
  const s = decodeUtf8(b, start, start + len);
  keyTable[slot] = s;
  return s;
}
