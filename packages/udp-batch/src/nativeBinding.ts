import { createRequire } from 'node:module';
import { UdpBatchError } from './UdpBatchError.js';

/** The compiled module's functions (native/udp_batch.c). */
export interface NativeBinding {
  sendBatch(fd: number, arena: Uint8Array, meta: Uint32Array, from: number, count: number): number;
  aesGcmContext(key: Uint8Array): object;
  aesGcmSeal(
    context: object,
    out: Uint8Array,
    at: number,
    aad: Uint8Array,
    message: Uint8Array,
    iv: Uint8Array,
  ): number;
}

let loaded: NativeBinding | null | undefined;
let loadError: unknown = null;

/**
 * The native module, or null when it is not there (not built: another OS, no compiler, install scripts off) or
 * exports nothing (non-Linux build). Loaded once.
 */
export function nativeBinding(): NativeBinding | null {
  if (loaded !== undefined) return loaded;
  try {
    // build/ sits next to dist/ (and src/): the same relative path from both.
    const binding = createRequire(import.meta.url)('../build/Release/udp_batch.node') as Partial<NativeBinding>;
    loaded = typeof binding.sendBatch === 'function' ? (binding as NativeBinding) : null;
  } catch (error) {
    loadError = error;
    loaded = null;
  }
  return loaded;
}

/** The native module, or a UdpBatchError (code UNAVAILABLE, the load error as cause). */
export function requireNativeBinding(): NativeBinding {
  const binding = nativeBinding();
  if (!binding)
    throw new UdpBatchError('UNAVAILABLE', 'the native udp-batch module is not built here', { cause: loadError });
  return binding;
}

/** Whether batched sends (and native AES-GCM sealing) are available in this process. */
export function isUdpBatchSupported(): boolean {
  return nativeBinding() !== null;
}
