import { createRequire } from 'node:module';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import nacl from 'tweetnacl';

/** The primitives the XSalsa20 and XChaCha20 modes need; AES-256-GCM always comes from node:crypto. */
export interface CryptoBackend {
  name: string;
  /** XSalsa20-Poly1305 secretbox: returns MAC(16) ‖ ciphertext. */
  secretboxSeal(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  /** Returns the message, or null when the MAC does not verify. */
  secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null;
  /** XChaCha20-Poly1305 IETF AEAD: returns ciphertext ‖ tag(16). */
  xchachaSeal(message: Uint8Array, aad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  /** `xchachaSeal` written into `out` (exactly message + 16 bytes, not overlapping the inputs), when supported. */
  xchachaSealInto?(out: Uint8Array, message: Uint8Array, aad: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
  /** Returns the message, or null when the tag does not verify. */
  xchachaOpen(sealed: Uint8Array, aad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null;
}

/** Pure JavaScript: tweetnacl for secretbox, @noble/ciphers for XChaCha20-Poly1305. Always available. */
export const jsBackend: CryptoBackend = {
  name: 'js',
  secretboxSeal: (message, nonce, key) => nacl.secretbox(message, nonce, key),
  secretboxOpen: (box, nonce, key) => nacl.secretbox.open(box, nonce, key),
  xchachaSeal: (message, aad, nonce, key) => xchacha20poly1305(key, nonce, aad).encrypt(message),
  xchachaOpen: (sealed, aad, nonce, key) => {
    try {
      return xchacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      return null;
    }
  },
};

interface SodiumNative {
  crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
    c: Uint8Array,
    m: Uint8Array,
    ad: Uint8Array | null,
    nsec: null,
    npub: Uint8Array,
    k: Uint8Array,
  ): number;
  crypto_aead_xchacha20poly1305_ietf_decrypt(
    m: Uint8Array,
    nsec: null,
    c: Uint8Array,
    ad: Uint8Array | null,
    npub: Uint8Array,
    k: Uint8Array,
  ): number;
}

function loadSodium(): CryptoBackend | null {
  let sodium: SodiumNative;
  try {
    // Optional dependency: a native libsodium binding (prebuilt) that is several times faster than the JS code.
    sodium = createRequire(import.meta.url)('sodium-native') as SodiumNative;
  } catch {
    return null;
  }
  return {
    name: 'sodium-native',
    secretboxSeal: (message, nonce, key) => {
      const out = Buffer.allocUnsafe(message.length + 16);
      sodium.crypto_secretbox_easy(out, message, nonce, key);
      return out;
    },
    secretboxOpen: (box, nonce, key) => {
      if (box.length < 16) return null;
      const out = Buffer.allocUnsafe(box.length - 16);
      return sodium.crypto_secretbox_open_easy(out, box, nonce, key) ? out : null;
    },
    xchachaSeal: (message, aad, nonce, key) => {
      const out = Buffer.allocUnsafe(message.length + 16);
      sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, message, aad, null, nonce, key);
      return out;
    },
    xchachaSealInto: (out, message, aad, nonce, key) => {
      sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, message, aad, null, nonce, key);
    },
    xchachaOpen: (sealed, aad, nonce, key) => {
      if (sealed.length < 16) return null;
      const out = Buffer.allocUnsafe(sealed.length - 16);
      try {
        sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, sealed, aad, nonce, key);
        return out;
      } catch {
        return null;
      }
    },
  };
}

/** The native backend when sodium-native is installed, else null. */
export const sodiumBackend: CryptoBackend | null = loadSodium();

/** The fastest backend available here. */
export const defaultBackend: CryptoBackend = sodiumBackend ?? jsBackend;
