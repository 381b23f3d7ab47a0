/** Bounds of {@link readRequestHead}: past either, the head is not read (the caller leaves it to Node's parser). */
export interface RequestHeadLimits {
  /** Bytes of the whole head, CRLFCRLF included (Node's `maxHeaderSize` default: 16 KB). */
  readonly maxBytes: number;
  /** Header fields. */
  readonly maxFields: number;
}

/** A well-formed HTTP/1.x request head (RFC 9112 §2–§5), as far as {@link readRequestHead} reads one. */
export interface RequestHead {
  readonly method: string;
  /** The request target as sent (`/?v=10&encoding=json`). */
  readonly target: string;
  /** 1 for HTTP/1.1, 0 for HTTP/1.0 (the major version is always 1). */
  readonly versionMinor: number;
  /** Field names (lower-cased) and values (without the surrounding whitespace), alternating, in order. */
  readonly fields: readonly string[];
  /** Bytes of the head, CRLFCRLF included: what follows in the buffer is the request's (or the connection's) next. */
  readonly length: number;
}

/** More bytes are needed (the head is shorter than the limit and not yet ended). */
export const HEAD_INCOMPLETE = 0;
/** Not a head this reader takes: malformed, over a limit, or a form it leaves to Node (bare LF, obs-fold, HTTP/2). */
export const HEAD_REFUSED = 1;

/** No method is longer (the longest registered ones have 17 characters). */
const MAX_METHOD = 32;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/**
 * tchar of RFC 9110 §5.6.2 (field names, methods): `!#$%&'*+-.^_`|~`, digits and letters. Indexed by byte; 1 = allowed.
 */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TCHAR[c.charCodeAt(0)] = 1;

/**
 * Reads the head of an HTTP/1.x request from the start of `buf` (the bytes read so far): the request line (`method SP
 * target SP HTTP/1.x`), then header fields up to the empty line. Strict where Node's parser would be lenient or would
 * refuse: a line must end in CRLF, a field name must be a token followed at once by `:`, a value must be free of
 * control bytes but HTAB, the target free of spaces and controls; no obs-fold. A head it refuses is not judged bad (the
 * caller hands it to Node's parser, which answers it as it always did); one it reads is one Node reads the same way.
 *
 * Bounded: at most `limits.maxBytes` bytes are looked at, and a head with more than `limits.maxFields` fields is
 * refused. `checked` is how many bytes a previous call on the same (shorter) head already looked at and found
 * incomplete: they are not searched again, so a head that arrives a byte at a time costs one pass in all.
 */
export function readRequestHead(
  buf: Buffer,
  limits: RequestHeadLimits,
  checked = 0,
): RequestHead | typeof HEAD_INCOMPLETE | typeof HEAD_REFUSED {
  const bound = Math.min(buf.length, limits.maxBytes);
  // The end may straddle what was checked and what is new: start 3 bytes back.
  const from = Math.max(0, checked - 3);
  const stop = buf.indexOf(CRLFCRLF, from);
  if (stop === -1 || stop + 4 > bound) {
    if (buf.length >= limits.maxBytes) return HEAD_REFUSED;
    // Not ended yet: refused now if what is there already cannot become a head we read (no waiting on a request
    // line that is not one, or on a client that ends its lines with a bare LF).
    return startsBadly(buf, checked, bound) ? HEAD_REFUSED : HEAD_INCOMPLETE;
  }
  // Latin-1: one character per byte, as Node's parser reads header bytes.
  const text = buf.toString('latin1', 0, stop + 2);
  const lineEnd = text.indexOf('\r\n');
  const line = readRequestLine(text, lineEnd);
  if (line === null) return HEAD_REFUSED;
  const fields: string[] = [];
  let at = lineEnd + 2;
  while (at < text.length) {
    if (fields.length >= limits.maxFields * 2) return HEAD_REFUSED;
    const next = text.indexOf('\r\n', at);
    const colon = fieldName(text, at, next);
    if (colon === -1) return HEAD_REFUSED;
    const value = fieldValue(text, colon + 1, next);
    if (value === null) return HEAD_REFUSED;
    fields.push(text.slice(at, colon).toLowerCase(), value);
    at = next + 2;
  }
  return { method: line.method, target: line.target, versionMinor: line.minor, fields, length: stop + 4 };
}

/** The request line `method SP target SP HTTP/1.x`, or null. */
function readRequestLine(text: string, end: number): { method: string; target: string; minor: number } | null {
  const sp1 = text.indexOf(' ');
  if (sp1 <= 0 || sp1 >= end || sp1 > MAX_METHOD) return null;
  for (let i = 0; i < sp1; i++) if (!isTchar(text.charCodeAt(i))) return null;
  const sp2 = end - 9; // ` HTTP/1.x` is the line's last 9 characters
  if (sp2 <= sp1 + 1 || text.charCodeAt(sp2) !== 0x20 || !text.startsWith('HTTP/1.', sp2 + 1)) return null;
  const minor = text.charCodeAt(end - 1) - 0x30;
  if (minor !== 0 && minor !== 1) return null;
  // Origin form (`/path?query`), absolute form (`http://host/path`), `*` (OPTIONS): printable, no space.
  for (let i = sp1 + 1; i < sp2; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return null;
  }
  return { method: text.slice(0, sp1), target: text.slice(sp1 + 1, sp2), minor };
}

/** Index of the `:` ending a field name that starts at `from` (a non-empty token right before it), or -1. */
function fieldName(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && isTchar(text.charCodeAt(i))) i++;
  return i > from && i < end && text.charCodeAt(i) === 0x3a ? i : -1;
}

/** The field value between `from` and `end`, leading and trailing SP/HTAB removed; null with a control byte in it. */
function fieldValue(text: string, from: number, end: number): string | null {
  let start = from;
  let stop = end;
  while (start < stop && isWhitespace(text.charCodeAt(start))) start++;
  while (stop > start && isWhitespace(text.charCodeAt(stop - 1))) stop--;
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    // Bytes 0x80–0xFF (obs-text) are allowed, as Node allows them; controls but HTAB (and DEL) are not.
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return null;
  }
  return text.slice(start, stop);
}

/**
 * Whether the first `end` bytes of an unfinished head already show it is not one {@link readRequestHead} reads: a
 * method that is not a token before its space, or a bare LF (a line not ended by CRLF) after the first `checked`
 * bytes (those were looked at by an earlier call).
 */
function startsBadly(buf: Buffer, checked: number, end: number): boolean {
  let i = 0;
  while (i < end && i <= MAX_METHOD && isTchar(buf[i]!)) i++;
  // The method: a token ended by a space, or bytes still coming.
  if (i < end && (i === 0 || i > MAX_METHOD || buf[i] !== 0x20)) return true;
  for (let j = buf.indexOf(0x0a, checked); j !== -1 && j < end; j = buf.indexOf(0x0a, j + 1)) {
    if (j === 0 || buf[j - 1] !== 0x0d) return true;
  }
  return false;
}

function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
