import { constants, deflateRawSync } from 'node:zlib';

/**
 * zlib-stream without a deflate context per connection.
 *
 * A zlib stream is a 2-byte header, raw deflate blocks, and an Adler-32 trailer that only comes when the stream
 * ends — which a gateway stream never does. Deflate blocks may, but need not, refer back to earlier output. So a
 * payload deflated from an empty history and ended with a sync flush (byte-aligned, `00 00 FF FF`) is a valid next
 * piece of *any* connection's stream. That lets a dispatch be compressed once for all recipients; the per-session
 * sequence number follows as a tiny stored (uncompressed) block, and the message ends with an empty stored block —
 * the `00 00 FF FF` suffix clients wait for. Each connection only sends the header bytes once, first.
 *
 * Cost: no history across messages, so repeated keys between payloads are not shared (a lower ratio than one
 * context per connection); gain: one compression per dispatch instead of one per recipient, and no 256 KiB deflate
 * state per connection.
 */
export const ZLIB_HEADER: Buffer = Buffer.from([0x78, 0x9c]);
const EMPTY_STORED = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
const MAX_STORED = 0xffff;

/** `data` as stored deflate blocks followed by the empty stored block (the sync-flush marker). */
export function storedBlocks(data: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / MAX_STORED));
  const out = Buffer.allocUnsafe(data.length + blocks * 5 + EMPTY_STORED.length);
  let at = 0;
  for (let i = 0; i < blocks; i++) {
    const chunk = data.subarray(i * MAX_STORED, (i + 1) * MAX_STORED);
    out[at++] = 0x00;
    out.writeUInt16LE(chunk.length, at);
    out.writeUInt16LE(~chunk.length & 0xffff, at + 2);
    at += 4;
    out.set(chunk, at);
    at += chunk.length;
  }
  EMPTY_STORED.copy(out, at);
  return out;
}

/** Raw deflate of `data` from an empty history, ending in a sync flush (never a final block). */
export function deflateIndependent(data: Uint8Array, level = 6): Buffer {
  return deflateRawSync(data, { level, finishFlush: constants.Z_SYNC_FLUSH });
}

/** Small payloads (ACKs, Hello) are cheaper stored than compressed. */
export function compressIndependent(data: Uint8Array, level = 6): Buffer {
  return data.length < 128 ? storedBlocks(data) : deflateIndependent(data, level);
}
