/** The wire encodings a gateway connection can ask for with `?encoding=`. */
export type EncodingName = 'json' | 'etf' | 'msgpack';

/**
 * One codec for gateway payloads. `encode` returns a string for text frames (JSON) and bytes for binary frames;
 * `decode` accepts either and throws a `ProtocolError` subclass (with a `code`) on malformed input, never anything else.
 */
export interface Encoding {
  readonly name: EncodingName;
  /** true when frames are sent as binary WebSocket messages. */
  readonly binary: boolean;
  encode(payload: unknown): string | Uint8Array;
  decode(data: string | Uint8Array): unknown;
}
