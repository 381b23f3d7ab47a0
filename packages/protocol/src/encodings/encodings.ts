import type { Encoding, EncodingName } from '../Encoding.js';
import { etfEncoding } from '../etf/etfEncoding.js';
import { jsonEncoding } from '../json/json.js';
import { msgpackEncoding } from '../msgpack/msgpack.js';
import { ProtocolError } from '../ProtocolError.js';

/** The three codecs by their `?encoding=` name, with default limits. */
export const encodings: Readonly<Record<EncodingName, Encoding>> = Object.freeze({
  json: jsonEncoding,
  etf: etfEncoding,
  msgpack: msgpackEncoding,
});

/** The codec for an `?encoding=` value; throws `UNSUPPORTED_ENCODING` for anything else. */
export function getEncoding(name: string): Encoding {
  if (!Object.hasOwn(encodings, name)) {
    throw new ProtocolError('UNSUPPORTED_ENCODING', `unsupported encoding: ${String(name).slice(0, 32)}`);
  }
  return encodings[name as EncodingName];
}
