import { VideoRtpError } from './VideoRtpError.js';

/** An RTX payload (RFC 4588 §4): the original sequence number (OSN) then the original payload. */
export function wrapRtx(originalSequence: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + payload.length);
  out.writeUInt16BE(originalSequence & 0xffff, 0);
  out.set(payload, 2);
  return out;
}

/** Splits an RTX payload into the original sequence number and payload (a view, no copy). */
export function unwrapRtx(payload: Uint8Array): { sequence: number; payload: Uint8Array } {
  if (payload.length < 3) throw new VideoRtpError('RTX_TOO_SHORT', `RTX payload of ${payload.length} bytes`);
  return { sequence: (payload[0]! << 8) | payload[1]!, payload: payload.subarray(2) };
}
