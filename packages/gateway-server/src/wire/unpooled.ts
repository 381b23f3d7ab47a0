/**
 * `bytes` in memory of their own. A small Buffer (`Buffer.from`, `allocUnsafe`, zlib's output) is a view of a larger
 * shared block (Node's 8 KB pool, zlib's 16 KB output chunk) and keeps all of it alive. What a dispatch keeps for as
 * long as replay buffers hold it (its encoded head, the head deflated) is copied out first: kept pooled, every message
 * pinned a slab of its own, about 8 KB per message per node on top of its bytes.
 */
export function unpooled(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  const own = Buffer.allocUnsafeSlow(bytes.byteLength);
  bytes.copy(own, 0);
  return own;
}
