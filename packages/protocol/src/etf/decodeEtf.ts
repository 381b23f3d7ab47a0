import { DEFAULT_MAX_OUTPUT } from '../compression/types.js';
import {
  ATOM_EXT,
  ATOM_UTF8_EXT,
  BINARY_EXT,
  COMPRESSED,
  FLOAT_EXT,
  INTEGER_EXT,
  LARGE_BIG_EXT,
  LARGE_TUPLE_EXT,
  LIST_EXT,
  MAP_EXT,
  NEW_FLOAT_EXT,
  NIL_EXT,
  SMALL_ATOM_EXT,
  SMALL_ATOM_UTF8_EXT,
  SMALL_BIG_EXT,
  SMALL_INTEGER_EXT,
  SMALL_TUPLE_EXT,
  STRING_EXT,
  VERSION,
} from './constants.js';
import { EtfError, isStackOverflow } from './EtfError.js';
import { decodeKey, decodeUtf8 } from './utf8.js';

export interface EtfDecodeOptions {
  /** Deepest nesting of lists, tuples and maps accepted; deeper input throws `DEPTH_EXCEEDED`. Default 128. */
  maxDepth?: number;
  /**
   * Largest input accepted, in bytes, and largest uncompressed size of a compressed term; larger throws
   * `PAYLOAD_TOO_LARGE`. Default: no limit on the input (it is already in memory), 64 MiB once inflated.
   */
  maxSize?: number;
  /**
   * Most container entries (list and tuple elements, map pairs, STRING_EXT bytes) accepted in one term; more throws
   * `PAYLOAD_TOO_LARGE`. Default: no limit (every entry costs at least one input byte anyway).
   */
  maxElements?: number;
  /**
   * Inflates a COMPRESSED (tag 80) term: receives the zlib bytes and the uncompressed size the header claims (already
   * checked against `maxSize`), returns exactly that many bytes. Without it compressed terms throw `DECODE_ERROR`: the
   * codec is synchronous and browser-safe, so it carries no inflater. In Node:
   * `inflate: (z, size) => zlib.inflateSync(z, { maxOutputLength: size })`.
   */
  inflate?: (compressed: Uint8Array, uncompressedSize: number) => Uint8Array;
}

export const DEFAULT_MAX_DEPTH = 128;

/** Uncompressed size allowed for a COMPRESSED term when no maxSize is given: the inflaters' default output cap. */
export const DEFAULT_MAX_INFLATED = DEFAULT_MAX_OUTPUT;

/** deflate writes at least 2 bits per 258-byte match, so no zlib stream inflates to more than 1032 times its size. */
const MAX_DEFLATE_RATIO = 1032;

/** Bigs wider than this are refused: BigInt-to-decimal is quadratic, and Discord never sends more than 8 bytes. */
const MAX_BIG_BYTES = 256;

const latin1 = (b: Uint8Array, start: number, end: number): string => {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/**
 * One decode pass. A class (not module state) so that a nested decode from an `inflate` callback cannot clobber an
 * outer one; V8 keeps the field accesses monomorphic either way.
 */
class Reader {
  pos: number;
  elementsLeft: number;
  /**
   * Elements announced by the enclosing lists, tuples and maps (and list tails) that have not started yet. Each takes
   * at least one byte, so a container may announce only as many elements as the input has bytes beyond those: nested
   * headers cannot all claim the same remaining bytes (each level `new Array(n)` of nearly the whole input), and what
   * is allocated stays proportional to the input, whatever maxDepth is.
   */
  owed = 0;
  constructor(
    readonly b: Uint8Array,
    readonly view: DataView,
    pos: number,
    readonly maxDepth: number,
    readonly maxSize: number,
    maxElements: number,
    readonly inflate: EtfDecodeOptions['inflate'],
  ) {
    this.pos = pos;
    this.elementsLeft = maxElements;
  }

  fail(message: string, at = this.pos): never {
    throw new EtfError('DECODE_ERROR', message, { offset: at });
  }

  /** Guards every read: `n` more bytes must exist. Declared lengths go through here before anything is allocated. */
  need(n: number): void {
    if (n > this.b.length - this.pos) this.fail(`unexpected end of input: ${n} bytes needed`);
  }

  /** `n` more elements will follow, on top of those already owed: checked against the bytes left, then owed. */
  reserve(n: number): void {
    const owed = this.owed + n;
    if (owed > this.b.length - this.pos) this.fail(`unexpected end of input: ${n} more elements announced`);
    this.owed = owed;
  }

  /** Declared counts are charged against the element budget before any array or object is built. */
  spend(n: number): void {
    this.elementsLeft -= n;
    if (this.elementsLeft < 0) {
      throw new EtfError('PAYLOAD_TOO_LARGE', 'term has more elements than maxElements allows', { offset: this.pos });
    }
  }

  u8(): number {
    if (this.pos >= this.b.length) this.fail('unexpected end of input');
    return this.b[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.b;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(): number {
    this.need(4);
    const b = this.b;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  term(depth: number): unknown {
    const b = this.b;
    if (this.pos >= b.length) this.fail('unexpected end of input');
    const tag = b[this.pos++]!;
    switch (tag) {
      case BINARY_EXT: {
        const len = this.u32();
        this.need(len);
        const start = this.pos;
        this.pos = start + len;
        return decodeUtf8(b, start, start + len);
      }
      case SMALL_INTEGER_EXT:
        return this.u8();
      case INTEGER_EXT:
        return this.u32() | 0;
      case MAP_EXT:
        return this.map(depth);
      case SMALL_ATOM_EXT:
      case SMALL_ATOM_UTF8_EXT:
        return this.atom(this.u8());
      case ATOM_EXT:
      case ATOM_UTF8_EXT:
        return this.atom(this.u16());
      case LIST_EXT:
        return this.list(depth);
      case NIL_EXT:
        return [];
      case NEW_FLOAT_EXT: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case SMALL_BIG_EXT:
        return this.big(this.u8());
      case LARGE_BIG_EXT:
        return this.big(this.u32());
      case SMALL_TUPLE_EXT:
        return this.elements(this.u8(), depth);
      case LARGE_TUPLE_EXT:
        return this.elements(this.u32(), depth);
      case STRING_EXT:
        return this.byteList();
      case FLOAT_EXT:
        return this.oldFloat();
      case COMPRESSED:
        return this.compressed(depth);
      default:
        return this.fail(`unsupported term tag ${tag}`, this.pos - 1);
    }
  }

  atom(len: number): unknown {
    this.need(len);
    const b = this.b;
    const p = this.pos;
    this.pos = p + len;
    // The three atoms Discord uses as values, recognised from their bytes without building a string.
    if (len === 3) {
      if (b[p] === 110 && b[p + 1] === 105 && b[p + 2] === 108) return null; // nil
    } else if (len === 4) {
      if (b[p] === 116 && b[p + 1] === 114 && b[p + 2] === 117 && b[p + 3] === 101) return true;
      if (b[p] === 110 && b[p + 1] === 117 && b[p + 2] === 108 && b[p + 3] === 108) return null; // null, as erlpack
    } else if (len === 5) {
      if (b[p] === 102 && b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 115 && b[p + 4] === 101) return false;
    }
    // Atoms are a small, repeating vocabulary (keys, event names): the key cache fits them.
    return decodeKey(b, p, len);
  }

  /** `tail` is 1 for a list, whose NIL_EXT tail is owed along with its elements. */
  elements(n: number, depth: number, tail = 0): unknown[] {
    // Every element takes at least one byte: a count larger than what is left is a lie, caught before allocating.
    this.reserve(n + tail);
    if (depth >= this.maxDepth) this.depthExceeded();
    this.spend(n);
    const out = new Array<unknown>(n);
    const d = depth + 1;
    for (let i = 0; i < n; i++) {
      this.owed--;
      out[i] = this.term(d);
    }
    return out;
  }

  list(depth: number): unknown[] {
    const n = this.u32();
    const out = this.elements(n, depth, 1);
    this.owed--;
    if (this.u8() !== NIL_EXT) this.fail('improper list (tail is not NIL_EXT)', this.pos - 1);
    return out;
  }

  map(depth: number): Record<string, unknown> {
    const n = this.u32();
    this.reserve(n * 2);
    if (depth >= this.maxDepth) this.depthExceeded();
    this.spend(n);
    const out: Record<string, unknown> = {};
    const d = depth + 1;
    const b = this.b;
    for (let i = 0; i < n; i++) {
      this.owed--;
      let key: string;
      const tag = b[this.pos];
      if (tag === BINARY_EXT && this.pos + 5 <= b.length) {
        // The common key, read inline through the key cache.
        const p = this.pos;
        const len = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
        this.pos = p + 5;
        this.need(len);
        key = decodeKey(b, p + 5, len);
        this.pos = p + 5 + len;
      } else {
        // Keys become property names as erlpack makes them (String(key)): atoms give their name (nil gives "null").
        const k = this.term(d);
        key = typeof k === 'string' ? k : String(k);
      }
      this.owed--;
      const v = this.term(d);
      if (key === '__proto__') {
        // An own property, as JSON.parse makes it, rather than a prototype swap.
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = v;
      }
    }
    return out;
  }

  byteList(): number[] {
    const n = this.u16();
    this.need(n);
    this.spend(n);
    const b = this.b;
    const p = this.pos;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = b[p + i]!;
    this.pos = p + n;
    return out;
  }

  /**
   * erlpack's rule, kept exactly so that both decoders agree: up to 4 digit bytes the value is a number (unless it
   * is a negative below -2^31), otherwise a decimal string. So every 64-bit snowflake decodes to a string, whatever
   * its magnitude. erlpack throws beyond 8 bytes; we still give the decimal string (up to MAX_BIG_BYTES).
   */
  big(n: number): number | string {
    const start = this.pos;
    this.need(n + 1);
    const b = this.b;
    const sign = b[this.pos++]!;
    const p = this.pos;
    this.pos = p + n;
    if (n <= 4) {
      let v = 0;
      for (let i = n - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
      if (sign === 0) return v;
      if (v <= 0x80000000 - 1) return v === 0 ? 0 : -v;
      return `-${v}`;
    }
    if (n > MAX_BIG_BYTES) this.fail(`big integer of ${n} bytes is too large`, start);
    if (n <= 8) {
      const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
      let hi = 0;
      for (let i = n - 1; i >= 4; i--) hi = hi * 256 + b[p + i]!;
      // Below 2^53 a plain number prints the same digits, without BigInt's cost.
      if (hi < 0x200000) {
        const x = hi * 0x100000000 + lo;
        return sign === 0 ? `${x}` : `-${x}`;
      }
      const v = (BigInt(hi) << 32n) | BigInt(lo);
      return sign === 0 ? `${v}` : `-${v}`;
    }
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[p + i]!);
    return sign === 0 ? v.toString() : `-${v}`;
  }

  /** FLOAT_EXT: 31 bytes of `%.20e` text, NUL-padded. */
  oldFloat(): number {
    const start = this.pos;
    this.need(31);
    const b = this.b;
    let end = start;
    while (end < start + 31 && b[end] !== 0) end++;
    this.pos = start + 31;
    const text = latin1(b, start, end);
    const v = Number.parseFloat(text);
    if (!Number.isNaN(v)) return v;
    // What C's sscanf("%lf") (erlpack) also accepts; Erlang itself never writes these.
    const special = /^\s*([+-]?)(inf|nan)/i.exec(text);
    if (special === null) this.fail('invalid FLOAT_EXT text', start);
    if (special[2]!.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }

  compressed(depth: number): unknown {
    const at = this.pos - 1;
    const size = this.u32();
    // A zlib bomb turns kilobytes into gigabytes: the claimed size is bounded even when maxSize is not set.
    const limit = Number.isFinite(this.maxSize) ? this.maxSize : DEFAULT_MAX_INFLATED;
    if (size > limit) {
      throw new EtfError('PAYLOAD_TOO_LARGE', `compressed term inflates to ${size} bytes, over ${limit}`, {
        offset: at,
      });
    }
    // The zlib stream runs to the end of the input: a size it cannot reach, or elements still owed after it, are lies
    // that would otherwise cost a whole inflate to find out.
    if (size > (this.b.length - this.pos) * MAX_DEFLATE_RATIO) {
      this.fail(
        `compressed term claims ${size} bytes, more than its ${this.b.length - this.pos} bytes can inflate to`,
        at,
      );
    }
    if (this.owed > 0) this.fail('a compressed term must end the input', at);
    if (this.inflate === undefined) {
      this.fail('compressed terms (tag 80) are not supported without the inflate option', at);
    }
    let inner: Uint8Array;
    try {
      inner = this.inflate(this.b.subarray(this.pos), size);
    } catch (cause) {
      throw new EtfError('DECODE_ERROR', 'inflating a compressed term failed', { cause, offset: at });
    }
    if (!(inner instanceof Uint8Array) || inner.length !== size) {
      this.fail('compressed term did not inflate to its declared size', at);
    }
    this.pos = this.b.length;
    const sub = new Reader(
      inner,
      new DataView(inner.buffer, inner.byteOffset, inner.byteLength),
      0,
      this.maxDepth,
      this.maxSize,
      this.elementsLeft,
      undefined,
    );
    try {
      return sub.term(depth);
    } finally {
      this.elementsLeft = sub.elementsLeft;
    }
  }

  depthExceeded(): never {
    throw new EtfError('DEPTH_EXCEEDED', `term nested deeper than maxDepth (${this.maxDepth})`, { offset: this.pos });
  }
}

/**
 * Decodes one External Term Format term (version byte 131) the way Discord clients do: `nil` → null, `true`/`false`
 * → booleans, other atoms and binaries → strings, tuples and lists → arrays, maps → objects with string keys,
 * 64-bit bigs (snowflakes) → decimal strings. Malformed input throws `EtfError`, never anything else; declared lengths
 * are checked against the bytes left before anything is allocated. Bytes after the term are ignored, as erlpack does.
 */
export function decodeEtf(data: Uint8Array, options?: EtfDecodeOptions): unknown {
  // A browser WebSocket with binaryType 'arraybuffer' hands over an ArrayBuffer: take it as well.
  if (!(data instanceof Uint8Array)) {
    if (!((data as unknown) instanceof ArrayBuffer)) throw new EtfError('DECODE_ERROR', 'ETF input must be bytes');
    data = new Uint8Array(data as unknown as ArrayBuffer);
  }
  const maxSize = options?.maxSize ?? Number.POSITIVE_INFINITY;
  if (data.length > maxSize) {
    throw new EtfError('PAYLOAD_TOO_LARGE', `payload of ${data.length} bytes is over maxSize (${maxSize})`);
  }
  if (data.length === 0) throw new EtfError('DECODE_ERROR', 'empty input');
  if (data[0] !== VERSION)
    throw new EtfError('DECODE_ERROR', `bad version byte ${data[0]} (expected 131)`, { offset: 0 });
  const reader = new Reader(
    data,
    new DataView(data.buffer, data.byteOffset, data.byteLength),
    1,
    options?.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxSize,
    options?.maxElements ?? Number.POSITIVE_INFINITY,
    options?.inflate,
  );
  try {
    return reader.term(0);
  } catch (error) {
    if (error instanceof EtfError) throw error;
    // A stack overflow (maxDepth set beyond what the stack holds) or a map key that cannot become a string.
    if (isStackOverflow(error)) {
      throw new EtfError('DEPTH_EXCEEDED', 'term nested deeper than the call stack allows', { cause: error });
    }
    throw new EtfError('DECODE_ERROR', 'malformed term', { cause: error });
  }
}
