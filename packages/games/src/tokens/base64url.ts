const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes unpadded base64url (RFC 7515 §2), or null when the text is not exactly that: `Buffer.from(…, 'base64url')`
 * alone skips characters it does not know and accepts padding, so two different texts would decode to the same bytes.
 * A length of 1 mod 4 is not an encoding of anything.
 */
export function decodeBase64url(text: string): Buffer | null {
  if (text.length % 4 === 1 || !BASE64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  // Non-canonical trailing bits (e.g. "AB" where "AA" encodes the same byte) would let a signature be re-encoded.
  return bytes.toString('base64url') === text ? bytes : null;
}

export function encodeBase64url(bytes: Buffer | string): string {
  return (typeof bytes === 'string' ? Buffer.from(bytes) : bytes).toString('base64url');
}
