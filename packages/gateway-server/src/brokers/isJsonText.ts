/**
 * Whether `bytes` is exactly one JSON value (RFC 8259, optional surrounding whitespace) nested at most `maxDepth`
 * arrays/objects deep, checked without building it. A bus message's body is spliced into the frames sent to clients
 * without being parsed, so this is what keeps a malformed or hostile body from breaking a client's framing; it costs a
 * fraction of JSON.parse (no allocation, one pass, an explicit stack of `maxDepth` bytes). Bytes ≥ 0x80 are allowed only
 * inside strings; whether they are valid UTF-8 is the caller's check (`isUtf8` from node:buffer).
 */
export function isJsonText(bytes: Uint8Array, maxDepth: number): boolean {
  const end = bytes.length;
  // 1 = in an object, 2 = in an array, per open level.
  const stack = new Uint8Array(maxDepth);
  let depth = 0;
  let i = skipSpace(bytes, 0, end);
  for (;;) {
    // A value starts at i.
    if (i >= end) return false;
    const c = bytes[i]!;
    if (c === 0x7b || c === 0x5b) {
      if (depth === maxDepth) return false;
      const object = c === 0x7b;
      stack[depth++] = object ? 1 : 2;
      i = skipSpace(bytes, i + 1, end);
      if (bytes[i] === (object ? 0x7d : 0x5d)) {
        depth--;
        i++;
      } else if (object) {
        i = memberKey(bytes, i, end);
        if (i < 0) return false;
        continue;
      } else continue;
    } else if (c === 0x22) {
      i = string(bytes, i, end);
      if (i < 0) return false;
    } else if (c === 0x74) {
      if (!literal(bytes, i, end, TRUE)) return false;
      i += 4;
    } else if (c === 0x66) {
      if (!literal(bytes, i, end, FALSE)) return false;
      i += 5;
    } else if (c === 0x6e) {
      if (!literal(bytes, i, end, NULL)) return false;
      i += 4;
    } else {
      i = number(bytes, i, end);
      if (i < 0) return false;
    }
    // After a value: close containers, or a comma and the next value.
    for (;;) {
      i = skipSpace(bytes, i, end);
      if (depth === 0) return i === end;
      if (i >= end) return false;
      const next = bytes[i]!;
      const object = stack[depth - 1] === 1;
      if (next === 0x2c) {
        i = skipSpace(bytes, i + 1, end);
        if (object) {
          i = memberKey(bytes, i, end);
          if (i < 0) return false;
        }
        break;
      }
      if (next !== (object ? 0x7d : 0x5d)) return false;
      depth--;
      i++;
    }
  }
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function literal(bytes: Uint8Array, i: number, end: number, word: number[]): boolean {
  if (i + word.length > end) return false;
  for (let k = 1; k < word.length; k++) if (bytes[i + k] !== word[k]) return false;
  return true;
}

function skipSpace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** `"key" :` followed by optional space: returns where the member's value starts, or -1. */
function memberKey(bytes: Uint8Array, i: number, end: number): number {
  i = string(bytes, i, end);
  if (i < 0) return -1;
  i = skipSpace(bytes, i, end);
  if (bytes[i] !== 0x3a || i >= end) return -1;
  return skipSpace(bytes, i + 1, end);
}

const isHex = (c: number | undefined): boolean =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/** A string starting at i (the opening quote): returns the index after its closing quote, or -1. */
function string(bytes: Uint8Array, i: number, end: number): number {
  if (i >= end || bytes[i] !== 0x22) return -1;
  i++;
  while (i < end) {
    const c = bytes[i]!;
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c) {
      const e = bytes[i + 1];
      if (i + 1 >= end) return -1;
      if (e === 0x75) {
        if (
          i + 5 >= end ||
          !isHex(bytes[i + 2]) ||
          !isHex(bytes[i + 3]) ||
          !isHex(bytes[i + 4]) ||
          !isHex(bytes[i + 5])
        )
          return -1;
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74)
        return -1;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` at i: returns the index after it, or -1. */
function number(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === 0x2d) i++;
  if (i >= end) return -1;
  if (bytes[i] === 0x30) i++;
  else if (isDigit(bytes[i])) while (i < end && isDigit(bytes[i])) i++;
  else return -1;
  if (i < end && bytes[i] === 0x2e) {
    i++;
    if (i >= end || !isDigit(bytes[i])) return -1;
    while (i < end && isDigit(bytes[i])) i++;
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    if (i < end && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
    if (i >= end || !isDigit(bytes[i])) return -1;
    while (i < end && isDigit(bytes[i])) i++;
  }
  return i;
}
