import { VoiceError } from '../errors.js';

/**
 * The TLS presentation language as MLS uses it (RFC 9420 §2.1): big-endian integers and vectors prefixed with a
 * variable-length integer (1, 2 or 4 bytes; the top two bits of the first byte say which). The reader never allocates
 * what a prefix declares: every length is checked against the bytes actually left first, and vectors are returned as
 * views on the input.
 */

/** Why bytes from a client are not the MLS structure they claim to be. */
export class MlsDecodeError extends VoiceError {
  public constructor(message: string) {
    super('DAVE_MLS_DECODE', message);
    this.name = 'MlsDecodeError';
  }
}

/** Largest length a variable-length integer can carry (30 bits). */
const MAX_VARINT = 2 ** 30 - 1;

export class TlsReader {
  #offset: number;
  readonly #end: number;
  readonly #buf: Buffer;

  public constructor(buf: Buffer, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#offset = start;
    this.#end = end;
  }

  public get offset(): number {
    return this.#offset;
  }

  public get remaining(): number {
    return this.#end - this.#offset;
  }

  #need(n: number): number {
    if (n > this.#end - this.#offset) throw new MlsDecodeError('truncated');
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  public u8(): number {
    return this.#buf[this.#need(1)]!;
  }

  public u16(): number {
    return this.#buf.readUInt16BE(this.#need(2));
  }

  public u32(): number {
    return this.#buf.readUInt32BE(this.#need(4));
  }

  public u64(): bigint {
    return this.#buf.readBigUInt64BE(this.#need(8));
  }

  /** A variable-length integer; the shortest encoding is required (RFC 9420 §2.1.2). */
  public varint(): number {
    const first = this.u8();
    const prefix = first >> 6;
    if (prefix === 0) return first & 0x3f;
    if (prefix === 1) {
      const value = ((first & 0x3f) << 8) | this.u8();
      if (value < 64) throw new MlsDecodeError('non-minimal varint');
      return value;
    }
    if (prefix === 2) {
      const rest = this.#buf.readUIntBE(this.#need(3), 3);
      const value = (first & 0x3f) * 2 ** 24 + rest;
      if (value < 16384) throw new MlsDecodeError('non-minimal varint');
      return value;
    }
    throw new MlsDecodeError('invalid varint prefix');
  }

  /** `opaque x<V>`: a view on the vector's bytes. */
  public vector(): Buffer {
    const length = this.varint();
    const at = this.#need(length);
    return this.#buf.subarray(at, at + length);
  }

  /** A vector of structures: a reader limited to the vector's bytes, which `each` must consume exactly. */
  public vectorOf(each: (reader: TlsReader) => void): void {
    const length = this.varint();
    const at = this.#need(length);
    const inner = new TlsReader(this.#buf, at, at + length);
    while (inner.remaining > 0) each(inner);
  }

  /** `n` raw bytes (fixed-size field). */
  public bytes(n: number): Buffer {
    const at = this.#need(n);
    return this.#buf.subarray(at, at + n);
  }

  /** The bytes read since `start` (an earlier `offset`): what a signature or a hash covers. */
  public since(start: number): Buffer {
    return this.#buf.subarray(start, this.#offset);
  }

  /** Fails unless everything was read. */
  public end(): void {
    if (this.#offset !== this.#end) throw new MlsDecodeError('trailing bytes');
  }
}

/** Encodes a variable-length integer (shortest form). */
export function encodeVarint(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > MAX_VARINT) throw new RangeError('varint out of range');
  if (value < 64) return Buffer.from([value]);
  if (value < 16384) return Buffer.from([0x40 | (value >> 8), value & 0xff]);
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  out[0] = out[0]! | 0x80;
  return out;
}

/** `opaque x<V>` of `bytes`. */
export function encodeVector(bytes: Uint8Array): Buffer {
  return Buffer.concat([encodeVarint(bytes.length), bytes]);
}

export function u8(value: number): Buffer {
  return Buffer.from([value & 0xff]);
}

export function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

export function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

export function u64(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(value);
  return out;
}
