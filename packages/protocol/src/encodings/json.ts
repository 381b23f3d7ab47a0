import type { Encoding } from '../Encoding.js';
import { codecError } from './CodecError.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

function bigintToString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * JSON text of a payload; bigints (snowflakes held as bigint) become strings, as the protocol wants them in JSON.
 * Throws `ENCODE_ERROR` for values JSON cannot express (cycles, a bare `undefined`).
 */
export function encodeJson(payload: unknown): string {
  let text: string | undefined;
  try {
    // The replacer costs about 2x on every call, so only retry with it when a bigint actually broke the fast path.
    text = JSON.stringify(payload);
  } catch (error) {
    if (!(error instanceof TypeError) || !/bigint/i.test(error.message))
      throw codecError('ENCODE_ERROR', 'JSON encode failed', error);
    try {
      text = JSON.stringify(payload, bigintToString);
    } catch (retryError) {
      throw codecError('ENCODE_ERROR', 'JSON encode failed', retryError);
    }
  }
  if (text === undefined) throw codecError('ENCODE_ERROR', 'JSON cannot encode this value');
  return text;
}

/**
 * Parses a JSON payload from a text frame or from UTF-8 bytes (e.g. after zlib-stream). Throws `DECODE_ERROR` on
 * invalid UTF-8 or JSON. Nesting depth is not limited: V8's JSON.parse is not recursive, and memory is bounded by
 * the input size.
 */
export function decodeJson(data: string | Uint8Array): unknown {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (data instanceof Uint8Array) {
    try {
      text = decoder.decode(data);
    } catch (error) {
      throw codecError('DECODE_ERROR', 'invalid UTF-8 in JSON payload', error);
    }
  } else throw codecError('DECODE_ERROR', 'JSON payload must be a string or a Uint8Array');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw codecError('DECODE_ERROR', 'invalid JSON payload', error);
  }
}

/** JSON over text frames. */
export const jsonEncoding: Encoding = Object.freeze({
  name: 'json',
  binary: false,
  encode: encodeJson,
  decode: decodeJson,
});
