import { requireNativeBinding } from './nativeBinding.js';
import { UdpBatchError } from './UdpBatchError.js';

/**
 * AES-256-GCM sealing with one cipher context per key, re-armed with each packet's IV, writing straight into a
 * caller's buffer (a UdpBatch arena). node:crypto has no reusable context: `createCipheriv` per packet redoes the key
 * schedule and allocates several objects, about 8× the cost of this for a voice packet. Needs the native module.
 */
export class AesGcmSealer {
  readonly #context: object;
  readonly #seal: ReturnType<typeof requireNativeBinding>['aesGcmSeal'];

  /** @throws UdpBatchError UNAVAILABLE without the native module, BAD_ARGUMENT for a key that is not 32 bytes. */
  public constructor(key: Uint8Array) {
    const binding = requireNativeBinding();
    if (key.length !== 32) throw new UdpBatchError('BAD_ARGUMENT', 'AES-256-GCM takes a 32-byte key');
    this.#context = binding.aesGcmContext(key);
    this.#seal = binding.aesGcmSeal;
  }

  /**
   * Writes `aad ‖ ciphertext(message) ‖ tag(16)` into `out` at `at` and returns the offset after it. `iv` is 12 bytes
   * and must never repeat under this key. `message` must not overlap the written range.
   */
  public seal(out: Uint8Array, at: number, aad: Uint8Array, message: Uint8Array, iv: Uint8Array): number {
    return this.#seal(this.#context, out, at, aad, message, iv);
  }
}
