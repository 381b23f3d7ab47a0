import { ExtensionCodec } from '@msgpack/msgpack';
import { CodecError } from '../encodings/CodecError.js';
import { isStackOverflow } from '../etf/EtfError.js';
import { decodeKey, decodeUtf8 } from '../etf/utf8.js';
import { ProtocolError } from '../ProtocolError.js';

/** What one MessagePack decode may accept; every count is checked before anything is allocated for it. */
export interface MsgpackDecodeLimits {
  readonly maxStrLength: number;
  readonly maxBinLength: number;
  readonly maxArrayLength: number;
  readonly maxMapLength: number;
  readonly maxExtLength: number;
  /** Arrays and maps nested deeper than this throw `DEPTH_EXCEEDED` (the outermost container is depth 0). */
  readonly maxDepth: number;
}

// The timestamp extension (-1) becomes a Date and unknown types an ExtData, as @msgpack/msgpack's Decoder gives them.
const extensions = ExtensionCodec.defaultCodec;

/**
 * One decode pass. This replaces @msgpack/msgpack's Decoder, which allocates `new Array(n)` for a declared length
 * before checking the bytes exist (issue #12: ~1,360 nested `dc ff ff` headers in a 4 KiB frame allocated ~0.7 GB),
 * and had no depth limit while decoding.
 */
class Reader {
  pos = 0;
  /**
   * Elements announced by the enclosing arrays and maps that have not started yet. Each takes at least one byte, so a
   * container may only announce as many elements as the input has bytes beyond those: nested headers cannot each
   * claim the same remaining bytes, and what is allocated stays proportional to the input.
   */
  owed = 0;

  constructor(
    readonly b: Uint8Array,
    readonly view: DataView,
    readonly limits: MsgpackDecodeLimits,
  ) {}

  fail(message: string, at = this.pos): never {
    throw new CodecError('DECODE_ERROR', `invalid MessagePack payload: ${message} (at byte ${at})`);
  }

  /** `n` more bytes must exist; goes before every read and every allocation. */
  need(n: number): number {
    const p = this.pos;
    if (n > this.b.length - p) this.fail(`unexpected end of input: ${n} bytes needed`);
    return p;
  }

  /** Takes `n` elements' worth of bytes (`n` is 2 per map entry) for a container at `depth`, before allocating it. */
  open(n: number, max: number, depth: number, what: string): void {
    if (n > max) this.fail(`${what} of ${n} elements is over the limit (${max})`);
    if (depth >= this.limits.maxDepth) {
      throw new CodecError('DEPTH_EXCEEDED', `MessagePack payload deeper than ${this.limits.maxDepth}`);
    }
    const owed = this.owed + n;
    if (owed > this.b.length - this.pos) this.fail(`${what} of ${n} elements is longer than the input`);
    this.owed = owed;
  }

  value(depth: number): unknown {
    const b = this.b;
    const p = this.pos;
    if (p >= b.length) this.fail('unexpected end of input');
    const h = b[p]!;
    this.pos = p + 1;
    if (h < 0x80) return h;
    if (h >= 0xe0) return h - 0x100;
    if (h >= 0xa0 && h < 0xc0) return this.str(h - 0xa0);
    if (h < 0x90) return this.map(h - 0x80, depth);
    if (h < 0xa0) return this.array(h - 0x90, depth);
    const view = this.view;
    switch (h) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.u8());
      case 0xc5:
        return this.bin(this.u16());
      case 0xc6:
        return this.bin(this.u32());
      case 0xc7:
        return this.ext(this.u8());
      case 0xc8:
        return this.ext(this.u16());
      case 0xc9:
        return this.ext(this.u32());
      case 0xca: {
        const at = this.need(4);
        this.pos = at + 4;
        return view.getFloat32(at);
      }
      case 0xcb: {
        const at = this.need(8);
        this.pos = at + 8;
        return view.getFloat64(at);
      }
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        return this.int64(false);
      case 0xd0: {
        const at = this.need(1);
        this.pos = at + 1;
        return view.getInt8(at);
      }
      case 0xd1: {
        const at = this.need(2);
        this.pos = at + 2;
        return view.getInt16(at);
      }
      case 0xd2: {
        const at = this.need(4);
        this.pos = at + 4;
        return view.getInt32(at);
      }
      case 0xd3:
        return this.int64(true);
      case 0xd4:
        return this.ext(1);
      case 0xd5:
        return this.ext(2);
      case 0xd6:
        return this.ext(4);
      case 0xd7:
        return this.ext(8);
      case 0xd8:
        return this.ext(16);
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        return this.fail(`unknown type byte 0x${h.toString(16)}`, p);
    }
  }

  u8(): number {
    const at = this.need(1);
    this.pos = at + 1;
    return this.b[at]!;
  }

  u16(): number {
    const at = this.need(2);
    this.pos = at + 2;
    return (this.b[at]! << 8) | this.b[at + 1]!;
  }

  u32(): number {
    const at = this.need(4);
    this.pos = at + 4;
    return this.view.getUint32(at);
  }

  /** Exact numbers up to 2^53, decimal strings beyond (snowflakes from other encoders): never a lossy double. */
  int64(signed: boolean): number | string {
    const at = this.need(8);
    this.pos = at + 8;
    const view = this.view;
    const hi = signed ? view.getInt32(at) : view.getUint32(at);
    // Below 2^21 in the high word the double is exact; isSafeInteger then drops -2^53 itself, as the old bigint path did.
    if (hi < 0x200000 && hi >= -0x200000) {
      const v = hi * 0x100000000 + view.getUint32(at + 4);
      if (Number.isSafeInteger(v)) return v;
    }
    return (signed ? view.getBigInt64(at) : view.getBigUint64(at)).toString();
  }

  str(len: number): string {
    if (len > this.limits.maxStrLength) this.fail(`string of ${len} bytes is over the limit`);
    const at = this.need(len);
    this.pos = at + len;
    return decodeUtf8(this.b, at, at + len);
  }

  /** A view of the input, as @msgpack/msgpack returns binaries: no copy. */
  bin(len: number): Uint8Array {
    if (len > this.limits.maxBinLength) this.fail(`binary of ${len} bytes is over the limit`);
    const at = this.need(len);
    this.pos = at + len;
    return this.b.subarray(at, at + len);
  }

  ext(len: number): unknown {
    if (len > this.limits.maxExtLength) this.fail(`extension of ${len} bytes is over the limit`);
    const at = this.need(len + 1);
    this.pos = at + 1 + len;
    try {
      return extensions.decode(this.b.subarray(at + 1, at + 1 + len), this.view.getInt8(at), undefined);
    } catch (cause) {
      throw new CodecError('DECODE_ERROR', `invalid MessagePack extension (at byte ${at})`, { cause });
    }
  }

  array(n: number, depth: number): unknown[] {
    this.open(n, this.limits.maxArrayLength, depth, 'array');
    const out = new Array<unknown>(n);
    const d = depth + 1;
    for (let i = 0; i < n; i++) {
      this.owed--;
      out[i] = this.value(d);
    }
    return out;
  }

  map(n: number, depth: number): Record<string, unknown> {
    if (n > this.limits.maxMapLength) this.fail(`map of ${n} entries is over the limit`);
    this.open(2 * n, Number.POSITIVE_INFINITY, depth, 'map');
    const out: Record<string, unknown> = {};
    const d = depth + 1;
    for (let i = 0; i < n; i++) {
      this.owed -= 2;
      const key = this.key(d);
      out[key] = this.value(d);
    }
    return out;
  }

  /**
   * A map key: a string (through the key cache) or a number, as @msgpack/msgpack accepts. Anything else, and
   * "__proto__" (which would swap the object's prototype), is refused before any value is built for it.
   */
  key(depth: number): string | number {
    const b = this.b;
    const p = this.pos;
    const h = p < b.length ? b[p]! : 0xc1;
    let len: number;
    if (h >= 0xa0 && h < 0xc0) {
      len = h - 0xa0;
      this.pos = p + 1;
    } else if (h === 0xd9) {
      this.pos = p + 1;
      len = this.u8();
    } else if (h === 0xda || h === 0xdb) {
      this.pos = p + 1;
      len = h === 0xda ? this.u16() : this.u32();
    } else if (h < 0x80 || h >= 0xe0 || (h >= 0xca && h <= 0xd3)) {
      // A 64-bit key beyond 2^53 decodes to a string here, but was a bigint (refused) for @msgpack/msgpack: refused.
      const k = this.value(depth);
      if (typeof k !== 'number') this.fail('map keys must be strings or numbers', p);
      return k;
    } else if (p >= b.length) {
      return this.fail('unexpected end of input');
    } else {
      return this.fail('map keys must be strings or numbers', p);
    }
    if (len > this.limits.maxStrLength) this.fail(`string of ${len} bytes is over the limit`);
    const at = this.need(len);
    this.pos = at + len;
    const key = decodeKey(b, at, len);
    if (key === '__proto__') this.fail('the key __proto__ is not allowed', p);
    return key;
  }
}

/**
 * Decodes one MessagePack value that must fill `data` exactly. Work and memory are bounded by the input's size:
 * every declared length is checked against the bytes left (and the limits) before anything is allocated, and the
 * depth limit holds while decoding. Throws `CodecError` (`DECODE_ERROR`, `DEPTH_EXCEEDED`), never anything else.
 */
export function decodeMsgpack(data: Uint8Array, limits: MsgpackDecodeLimits): unknown {
  const reader = new Reader(data, new DataView(data.buffer, data.byteOffset, data.byteLength), limits);
  let value: unknown;
  try {
    value = reader.value(0);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // Only reachable with a maxDepth set beyond what the call stack holds.
    if (isStackOverflow(error)) {
      throw new CodecError('DEPTH_EXCEEDED', 'MessagePack payload nested deeper than the call stack allows', {
        cause: error,
      });
    }
    throw new CodecError('DECODE_ERROR', 'invalid MessagePack payload', { cause: error });
  }
  if (reader.pos !== data.length) reader.fail(`${data.length - reader.pos} extra bytes after the value`);
  return value;
}
