/**
 * Reads the RTP stream id (RID, RFC 8852: `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id`) from an RTP header
 * extension block (RFC 8285: one-byte 0xBEDE or two-byte 0x100x profile). A simulcast browser tags each layer's packets
 * with it so that the receiver can bind the layer's SSRC to a rid. Untrusted input: every element is bounds-checked
 * against the block; anything malformed reads as "no rid".
 */

/** Longest RID kept (RFC 8851 allows more; Identify's stream rids are at most 8 characters). */
export const MAX_RID_LENGTH = 16;

const RID = /^[A-Za-z0-9_-]+$/;

/**
 * The RID carried under extension `id` in `block` (the extension body: after the 4-byte profile/length preamble), or
 * null when absent, malformed or not a plain alphanumeric token.
 */
export function readRid(profile: number, block: Uint8Array, id: number): string | null {
  if (id < 1 || id > 255) return null;
  const oneByte = profile === 0xbede;
  if (!oneByte && (profile & 0xfff0) !== 0x1000) return null;
  if (oneByte && id > 14) return null;
  let at = 0;
  while (at < block.length) {
    const b = block[at]!;
    if (b === 0) {
      at++; // padding
      continue;
    }
    let elementId: number;
    let length: number;
    if (oneByte) {
      elementId = b >> 4;
      if (elementId === 15) return null; // reserved: stop reading (RFC 8285 §4.2)
      length = (b & 0x0f) + 1;
      at += 1;
    } else {
      if (at + 1 >= block.length) return null;
      elementId = b;
      length = block[at + 1]!;
      at += 2;
    }
    if (at + length > block.length) return null;
    if (elementId === id) {
      if (length === 0 || length > MAX_RID_LENGTH) return null;
      const rid = Buffer.from(block.buffer, block.byteOffset + at, length).toString('latin1');
      return RID.test(rid) ? rid : null;
    }
    at += length;
  }
  return null;
}
