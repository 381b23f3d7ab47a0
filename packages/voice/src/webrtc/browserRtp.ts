import type { OpenedRtp } from '../crypto/PacketCipher.js';
import { parseRtpPacket } from '../rtp/RtpHeader.js';

/**
 * The browser's packets as the room sees them. Both functions read untrusted bytes (a browser may send any RTP or
 * RTCP inside its SRTP session) with the bounds-checked parsers, and throw only their PacketErrors.
 */

/**
 * One RTP packet of the browser as the member's own stream: a plain 12-byte header (no CSRCs, no header extension:
 * the browser's extensions mean nothing to native receivers) with the room's `ssrc` and `payloadType`, and the payload
 * without padding. `sourceSsrc` is the browser's own SSRC (keyframe requests go back to it).
 */
export function toRoomRtp(
  msg: Buffer,
  ssrc: number,
  payloadType: number,
): { opened: OpenedRtp; sourceSsrc: number; sourcePayloadType: number } {
  const layout = parseRtpPacket(msg);
  const { header } = layout;
  const fixed = Buffer.allocUnsafe(12);
  fixed[0] = 0x80;
  fixed[1] = (header.marker ? 0x80 : 0) | payloadType;
  fixed.writeUInt16BE(header.sequence, 2);
  fixed.writeUInt32BE(header.timestamp, 4);
  fixed.writeUInt32BE(ssrc >>> 0, 8);
  return {
    opened: {
      header: fixed,
      payload: msg.subarray(layout.payloadStart, layout.payloadEnd),
      sequence: header.sequence,
      timestamp: header.timestamp,
      ssrc: ssrc >>> 0,
      payloadType,
      marker: header.marker,
      extension: null,
    },
    sourceSsrc: header.ssrc,
    sourcePayloadType: header.payloadType,
  };
}
