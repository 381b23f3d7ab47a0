import { MAX_CLIENT_PAYLOAD_BYTES } from '../constants.js';
import { ProtocolError } from '../ProtocolError.js';

/** UTF-8 length of a string without encoding it (lone surrogates count as U+FFFD, 3 bytes, as TextEncoder does). */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A pair is 2 UTF-16 units and 4 UTF-8 bytes.
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

/** Size of a frame as it travels: UTF-8 bytes for text, byte length for binary. */
export function payloadByteLength(data: string | Uint8Array): number {
  return typeof data === 'string' ? utf8ByteLength(data) : data.byteLength;
}

/**
 * Throws `PAYLOAD_TOO_LARGE` when a frame is bigger than `max` bytes (default 4096, the client payload limit that
 * a gateway answers with close code 4002).
 */
export function assertPayloadSize(data: string | Uint8Array, max: number = MAX_CLIENT_PAYLOAD_BYTES): void {
  // A string cannot be over `max` UTF-8 bytes while its length times 3 is within it: skip the scan.
  if (typeof data === 'string' && data.length * 3 <= max) return;
  const size = payloadByteLength(data);
  if (size > max) throw new ProtocolError('PAYLOAD_TOO_LARGE', `payload of ${size} bytes exceeds ${max} bytes`);
}
