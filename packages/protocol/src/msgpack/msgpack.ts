import { Encoder } from '@msgpack/msgpack';
import type { Encoding } from '../Encoding.js';
import { CodecError, codecError } from '../encodings/CodecError.js';
import { isStackOverflow } from '../etf/EtfError.js';
import { ProtocolError } from '../ProtocolError.js';
import { decodeMsgpack, type MsgpackDecodeLimits } from './decodeMsgpack.js';

export interface MsgpackOptions {
  /** Longest string accepted by decode, in bytes (default 1 MiB). */
  maxStrLength?: number;
  /** Longest binary value accepted by decode (default 1 MiB). */
  maxBinLength?: number;
  /** Most elements in one array (default 100 000). */
  maxArrayLength?: number;
  /** Most entries in one map (default 100 000). */
  maxMapLength?: number;
  /** Longest extension value (default 64 KiB). */
  maxExtLength?: number;
  /** Deepest nesting of arrays/maps, on decode and encode (default 64). */
  maxDepth?: number;
}

const DEFAULTS = {
  maxStrLength: 1 << 20,
  maxBinLength: 1 << 20,
  maxArrayLength: 100_000,
  maxMapLength: 100_000,
  maxExtLength: 1 << 16,
  maxDepth: 64,
} as const satisfies Required<MsgpackOptions>;

/** The encoder's own depth check ("Too deep objects in depth N") and a stack overflow both mean a value too deep. */
function encodeError(error: unknown, maxDepth: number): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const overflow = isStackOverflow(error);
  if (overflow || (error instanceof Error && /too deep/i.test(error.message))) {
    const limit = overflow ? 'the call stack allows' : String(maxDepth);
    return new CodecError('DEPTH_EXCEEDED', `MessagePack value nested deeper than ${limit} (circular?)`, {
      cause: error,
    });
  }
  return codecError('ENCODE_ERROR', 'MessagePack encode failed', error);
}

/**
 * Copies `value` with bigints as strings. Only runs when the encoder met a bigint, so the common path stays a
 * single encode. Depth is bounded so that a cyclic value fails instead of overflowing the stack.
 */
function stringifyBigints(value: unknown, depth: number, maxDepth: number): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof Date) return value;
  if (depth >= maxDepth) throw new CodecError('DEPTH_EXCEEDED', `MessagePack value deeper than ${maxDepth}`);
  if (Array.isArray(value)) return value.map((item) => stringifyBigints(item, depth + 1, maxDepth));
  const source =
    typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  if (source !== value) return stringifyBigints(source, depth, maxDepth);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value))
    copy[key] = stringifyBigints((value as Record<string, unknown>)[key], depth + 1, maxDepth);
  return copy;
}

/**
 * MessagePack over binary frames (our addition to the protocol). Snowflakes travel as strings like in JSON;
 * bigints are encoded as strings. Decoding (src/msgpack/decodeMsgpack.ts) bounds every length by the limits and by
 * the bytes left, and the nesting depth, and maps 64-bit integers to exact numbers or strings. Encoding a value
 * deeper than `maxDepth` (or cyclic) throws `DEPTH_EXCEEDED`.
 */
export function createMsgpackEncoding(options: MsgpackOptions = {}): Encoding {
  // One by one rather than a spread, so that an option given as `undefined` still gets its default.
  const o: MsgpackDecodeLimits = {
    maxStrLength: options.maxStrLength ?? DEFAULTS.maxStrLength,
    maxBinLength: options.maxBinLength ?? DEFAULTS.maxBinLength,
    maxArrayLength: options.maxArrayLength ?? DEFAULTS.maxArrayLength,
    maxMapLength: options.maxMapLength ?? DEFAULTS.maxMapLength,
    maxExtLength: options.maxExtLength ?? DEFAULTS.maxExtLength,
    maxDepth: options.maxDepth ?? DEFAULTS.maxDepth,
  };
  // The encoder counts from 1 and counts the leaves too: + 1 makes it accept the `maxDepth` levels of arrays and maps
  // that decode accepts, so that whatever we decode we can send on.
  const encoder = new Encoder({ ignoreUndefined: true, maxDepth: o.maxDepth + 1 });
  return Object.freeze({
    name: 'msgpack',
    binary: true,
    encode(payload: unknown): Uint8Array {
      try {
        return encoder.encode(payload);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.includes('BigInt')) throw encodeError(error, o.maxDepth);
      }
      try {
        return encoder.encode(stringifyBigints(payload, 0, o.maxDepth));
      } catch (error) {
        throw encodeError(error, o.maxDepth);
      }
    },
    decode(data: string | Uint8Array): unknown {
      if (!(data instanceof Uint8Array)) throw codecError('DECODE_ERROR', 'MessagePack payload must be binary');
      return decodeMsgpack(data, o);
    },
  });
}

/** MessagePack with the default limits. */
export const msgpackEncoding: Encoding = createMsgpackEncoding();
