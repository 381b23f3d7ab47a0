/** A client-to-server WebSocket text frame. A zero masking key is valid (RFC 6455 §5.3) and leaves the payload as is. */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0x81, 0x80 | len, 0, 0, 0, 0])
      : Buffer.from([0x81, 0xfe, len >> 8, len & 255, 0, 0, 0, 0]);
  return Buffer.concat([head, payload]);
}
