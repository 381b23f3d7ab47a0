/**
 * The header of the (unmasked, server-to-client) WebSocket frame starting at `at`: its length and the payload's, or
 * null while `buf` does not hold the whole header yet.
 */
export function frameHeader(buf: Buffer, at: number): { headLen: number; len: number } | null {
  if (buf.length - at < 2) return null;
  const b1 = buf[at + 1]! & 127;
  const headLen = b1 < 126 ? 2 : b1 === 126 ? 4 : 10;
  if (buf.length - at < headLen) return null;
  const len = b1 < 126 ? b1 : b1 === 126 ? buf.readUInt16BE(at + 2) : Number(buf.readBigUInt64BE(at + 2));
  return { headLen, len };
}
