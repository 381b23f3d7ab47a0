import type { Encoding } from '../Encoding.js';
import { CodecError, codecError } from '../encodings/CodecError.js';
import { isStackOverflow } from '../etf/EtfError.js';
import type { ProtocolError } from '../ProtocolError.js';
import { nestsDeeper } from './nestsDeeper.js';
import { quoteUnsafeIntegers } from './quoteUnsafeIntegers.js';

export interface JsonOptions {
  /**
   * Deepest nesting of arrays/objects, on decode and on encode, so that whatever we send our own decoders accept;
   * deeper throws `DEPTH_EXCEEDED` (default 64, as msgpack).
   */
  maxDepth?: number;
  /**
   * Decode only. `'string'`: integer literals beyond ±(2^53 − 1) become their exact decimal strings instead of a
   * rounded number (see quoteUnsafeIntegers.ts): for what clients send, where an id may be a JSON number. `'number'`
   * (default): JSON.parse's own result, at full speed.
   */
  unsafeIntegers?: 'number' | 'string';
}

const DEFAULTS = { maxDepth: 64, unsafeIntegers: 'number' } as const satisfies Required<JsonOptions>;

const decoder = new TextDecoder('utf-8', { fatal: true });

function bigintToString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function assertDepth(value: unknown, maxDepth: number, what: string): void {
  if (typeof value !== 'object' || value === null) return;
  let deep: boolean;
  try {
    deep = nestsDeeper(value, maxDepth);
  } catch (error) {
    // Only with a maxDepth beyond what the call stack holds.
    if (!isStackOverflow(error)) throw error;
    deep = true;
  }
  if (deep) throw new CodecError('DEPTH_EXCEEDED', `JSON ${what} deeper than ${maxDepth}`);
}

/** JSON.stringify recurses: a value deeper than the call stack is a DEPTH_EXCEEDED, anything else ENCODE_ERROR. */
function encodeError(error: unknown): ProtocolError {
  if (isStackOverflow(error)) {
    return new CodecError('DEPTH_EXCEEDED', 'JSON encode failed: value nested deeper than the call stack allows', {
      cause: error,
    });
  }
  return codecError('ENCODE_ERROR', 'JSON encode failed', error);
}

/**
 * JSON text of a payload; bigints (snowflakes held as bigint) become strings, as the protocol wants them in JSON.
 * Throws `ENCODE_ERROR` for values JSON cannot express (cycles, a bare `undefined`), `DEPTH_EXCEEDED` for a value
 * nested deeper than `maxDepth`, which `decodeJson` would refuse.
 */
export function encodeJson(payload: unknown, options?: JsonOptions): string {
  let text: string | undefined;
  try {
    // The replacer costs about 2x on every call, so only retry with it when a bigint actually broke the fast path.
    text = JSON.stringify(payload);
  } catch (error) {
    if (!(error instanceof TypeError) || !/bigint/i.test(error.message)) throw encodeError(error);
    try {
      text = JSON.stringify(payload, bigintToString);
    } catch (retryError) {
      throw encodeError(retryError);
    }
  }
  if (text === undefined) throw codecError('ENCODE_ERROR', 'JSON cannot encode this value');
  // After stringify, which reports a cycle as such (the walk would only see depth).
  assertDepth(payload, options?.maxDepth ?? DEFAULTS.maxDepth, 'value');
  return text;
}

/**
 * Parses a JSON payload from a text frame or from UTF-8 bytes (e.g. after zlib-stream). Throws `DECODE_ERROR` on
 * invalid UTF-8 or JSON, `DEPTH_EXCEEDED` when arrays/objects nest deeper than `maxDepth`. V8's JSON.parse is
 * iterative and linear even on deep input (a 4 KiB frame of brackets parses in well under a millisecond into ~30x its
 * size), but the million-deep value it builds from 2 MB of brackets overflows every recursive consumer after it
 * (re-encoding, deep equality, structuredClone): so the result's depth is checked before anyone gets it.
 */
export function decodeJson(data: string | Uint8Array, options?: JsonOptions): unknown {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (data instanceof Uint8Array) {
    try {
      text = decoder.decode(data);
    } catch (error) {
      throw codecError('DECODE_ERROR', 'invalid UTF-8 in JSON payload', error);
    }
  } else throw codecError('DECODE_ERROR', 'JSON payload must be a string or a Uint8Array');
  if ((options?.unsafeIntegers ?? DEFAULTS.unsafeIntegers) === 'string') text = quoteUnsafeIntegers(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // An engine whose JSON.parse recurses (not V8's) overflows on deep input instead.
    if (isStackOverflow(error)) {
      throw new CodecError('DEPTH_EXCEEDED', 'JSON payload nested too deeply', { cause: error });
    }
    throw codecError('DECODE_ERROR', 'invalid JSON payload', error);
  }
  assertDepth(value, options?.maxDepth ?? DEFAULTS.maxDepth, 'payload');
  return value;
}

/** JSON over text frames. */
export const jsonEncoding: Encoding = Object.freeze({
  name: 'json',
  binary: false,
  encode: encodeJson,
  decode: decodeJson,
});
