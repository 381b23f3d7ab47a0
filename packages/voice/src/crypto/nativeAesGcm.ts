import { createRequire } from 'node:module';

/** A reusable AES-256-GCM context for one key (from the optional native module): seals into a caller's buffer. */
export interface AesGcmSealing {
  seal(out: Uint8Array, at: number, aad: Uint8Array, message: Uint8Array, iv: Uint8Array): number;
}

type SealerClass = new (key: Uint8Array) => AesGcmSealing;

function loadSealer(): SealerClass | null {
  try {
    // Optional dependency with a native build: absent or unbuilt, AES-GCM stays on node:crypto (createCipheriv per
    // packet, about 8× the cost per voice packet).
    const udpBatch = createRequire(import.meta.url)('@concord/udp-batch') as {
      AesGcmSealer: SealerClass;
      isUdpBatchSupported(): boolean;
    };
    return udpBatch.isUdpBatchSupported() ? udpBatch.AesGcmSealer : null;
  } catch {
    return null;
  }
}

const Sealer = loadSealer();

/** A native AES-256-GCM sealer for `key`, or null when the native module is not available here. */
export function nativeAesGcm(key: Uint8Array): AesGcmSealing | null {
  return Sealer ? new Sealer(key) : null;
}
