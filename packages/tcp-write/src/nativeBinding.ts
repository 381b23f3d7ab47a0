import { createRequire } from 'node:module';

/** The compiled module's function (native/tcp_write.c). */
export interface NativeBinding {
  /** Bytes the kernel took from `bytes[start, end)` (≥ 0), or -errno; never blocks. */
  send(fd: number, bytes: Uint8Array, start: number, end: number): number;
}

/**
 * The native module, or null when it is not there (not built: no compiler, install scripts off) or exports nothing
 * (the Windows build). Loaded once, when this module is first imported.
 */
function load(): NativeBinding | null {
  try {
    // build/ sits next to dist/ (and src/): the same relative path from both.
    const binding = createRequire(import.meta.url)('../build/Release/tcp_write.node') as Partial<NativeBinding>;
    return typeof binding.send === 'function' ? (binding as NativeBinding) : null;
  } catch {
    return null;
  }
}

export const nativeBinding: NativeBinding | null = load();

/** Whether direct writes are available in this process (the native module is built and loads). */
export function isTcpWriteSupported(): boolean {
  return nativeBinding !== null;
}
