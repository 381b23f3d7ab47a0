/** The encryption modes of the voice protocol, best first (the order a client should prefer). */
export const ENCRYPTION_MODES = [
  'aead_aes256_gcm_rtpsize',
  'aead_xchacha20_poly1305_rtpsize',
  'xsalsa20_poly1305_lite',
  'xsalsa20_poly1305_suffix',
  'xsalsa20_poly1305',
] as const;

export type EncryptionMode = (typeof ENCRYPTION_MODES)[number];

export function isEncryptionMode(value: unknown): value is EncryptionMode {
  return typeof value === 'string' && (ENCRYPTION_MODES as readonly string[]).includes(value);
}

/** Picks the first of our preferred modes that the server offers, or null. */
export function chooseEncryptionMode(
  offered: readonly string[],
  preference: readonly EncryptionMode[] = ENCRYPTION_MODES,
): EncryptionMode | null {
  for (const mode of preference) if (offered.includes(mode)) return mode;
  return null;
}

/** Key length of every mode (XSalsa20, XChaCha20 and AES-256 all take 32 bytes). */
export const SECRET_KEY_LENGTH = 32;
export const AUTH_TAG_LENGTH = 16;
