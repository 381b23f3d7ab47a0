/**
 * What a `Range` header asks of a body of `size` bytes:
 * - `none`: no header, a malformed one, or a unit other than bytes. RFC 9110 lets a server ignore such a header, so
 *   the whole body is served (200).
 * - `multiple`: several ranges. Served as the whole body (200) rather than multipart/byteranges: clients of an
 *   attachment CDN (players, download resumers) ask for one range, and a full response is always a valid answer.
 * - `unsatisfiable`: one range that starts past the end (or a zero-length suffix, or any range of an empty body): 416.
 * - `range`: inclusive offsets with 0 <= start <= end < size: 206.
 */
export type ParsedRange =
  | { kind: 'none' }
  | { kind: 'multiple' }
  | { kind: 'unsatisfiable' }
  | { kind: 'range'; start: number; end: number };

/** Longer headers are ignored outright: no honest client needs more, and parsing stays cheap. */
export const MAX_RANGE_HEADER_LENGTH = 1024;

const NONE = { kind: 'none' } as const;
const BOUNDED = /^(\d+)-(\d*)$/;
const SUFFIX = /^-(\d+)$/;

/** Compares two decimal digit strings exactly: past 2^53, Number() would round two different values to one. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Parses `Range: bytes=a-b | a- | -n` per RFC 9110 section 14.2. Pure, and never throws. */
export function parseRangeHeader(header: string | undefined, size: number): ParsedRange {
  if (header === undefined || header.length > MAX_RANGE_HEADER_LENGTH) return NONE;
  if (!Number.isSafeInteger(size) || size < 0) return NONE;
  const equals = header.indexOf('=');
  if (equals === -1 || header.slice(0, equals).toLowerCase() !== 'bytes') return NONE;
  // A list: elements separated by commas with optional spaces or tabs, empty elements allowed and skipped.
  const specs = header
    .slice(equals + 1)
    .split(',')
    .map((spec) => spec.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((spec) => spec.length > 0);
  if (specs.length === 0 || !specs.every((spec) => BOUNDED.test(spec) || SUFFIX.test(spec))) return NONE;
  // An invalid element (last < first) makes the header invalid, so it is checked before `multiple`.
  for (const spec of specs) {
    const bounded = BOUNDED.exec(spec);
    if (bounded !== null && bounded[2] !== '' && compareDigits(bounded[2]!, bounded[1]!) < 0) return NONE;
  }
  if (specs.length > 1) return { kind: 'multiple' };
  const spec = specs[0]!;
  const suffix = SUFFIX.exec(spec);
  if (suffix !== null) {
    // Digits may be arbitrarily long: Number() gives a huge float or Infinity, which the comparisons handle.
    const length = Number(suffix[1]);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - length), end: size - 1 };
  }
  const bounded = BOUNDED.exec(spec)!;
  const first = Number(bounded[1]);
  if (first >= size) return { kind: 'unsatisfiable' };
  const last = bounded[2] === '' ? size - 1 : Math.min(Number(bounded[2]), size - 1);
  return { kind: 'range', start: first, end: last };
}
