import { Decoder, Encoder } from '@msgpack/msgpack';
import type { Encoding } from '../Encoding.js';
import { CodecError, codecError } from './CodecError.js';

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

const DEFAULTS: Required<MsgpackOptions> = {
  maxStrLength: 1 << 20,
  maxBinLength: 1 << 20,
  maxArrayLength: 100_000,
  maxMapLength: 100_000,
  maxExtLength: 1 << 16,
  maxDepth: 64,
};

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
 * Walks a decoded value: enforces `maxDepth`, and turns the bigints that 64-bit integers decode to into numbers
 * when exact, else strings (snowflakes), so that no precision is lost and callers never see a bigint.
 */
function normalize(value: unknown, depth: number, maxDepth: number): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (depth >= maxDepth) throw new CodecError('DEPTH_EXCEEDED', `MessagePack payload deeper than ${maxDepth}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === 'object' || typeof item === 'bigint') value[i] = normalize(item, depth + 1, maxDepth);
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === 'object' || typeof item === 'bigint') record[key] = normalize(item, depth + 1, maxDepth);
  }
  return value;
}

/**
 * MessagePack over binary frames (our addition to the protocol). Snowflakes travel as strings like in JSON;
 * bigints are encoded as strings. Decoding bounds every length and the nesting depth, and maps 64-bit integers to
 * exact numbers or strings.
 */
export function createMsgpackEncoding(options: MsgpackOptions = {}): Encoding {
  const o = { ...DEFAULTS, ...options };
  const encoder = new Encoder({ ignoreUndefined: true, maxDepth: o.maxDepth });
  const decoder = new Decoder({
    useBigInt64: true,
    maxStrLength: o.maxStrLength,
    maxBinLength: o.maxBinLength,
    maxArrayLength: o.maxArrayLength,
    maxMapLength: o.maxMapLength,
    maxExtLength: o.maxExtLength,
  });
  return Object.freeze({
    name: 'msgpack',
    binary: true,
    encode(payload: unknown): Uint8Array {
      try {
        return encoder.encode(payload);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.includes('BigInt')) {
          throw codecError('ENCODE_ERROR', 'MessagePack encode failed', error);
        }
      }
      try {
        return encoder.encode(stringifyBigints(payload, 0, o.maxDepth));
      } catch (error) {
        throw codecError('ENCODE_ERROR', 'MessagePack encode failed', error);
      }
    },
    decode(data: string | Uint8Array): unknown {
      if (!(data instanceof Uint8Array)) throw codecError('DECODE_ERROR', 'MessagePack payload must be binary');
      let value: unknown;
      try {
        value = decoder.decode(data);
      } catch (error) {
        throw codecError('DECODE_ERROR', 'invalid MessagePack payload', error);
      }
      return normalize(value, 0, o.maxDepth);
    },
  });
}

/** MessagePack with the default limits. */
export const msgpackEncoding: Encoding = createMsgpackEncoding();
