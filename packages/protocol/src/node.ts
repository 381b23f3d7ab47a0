// Node entry: everything from the portable entry, with the compression functions backed by node:zlib (native
// zlib, and zstd where this Node has it). Explicit exports take precedence over the `export *` below.

export {
  createNodeZlibStreamDeflater,
  createNodeZlibStreamDeflater as createZlibStreamDeflater,
  createNodeZlibStreamInflater,
  createNodeZlibStreamInflater as createZlibStreamInflater,
  nodeDeflatePayload,
  nodeDeflatePayload as deflatePayload,
  nodeInflatePayload,
  nodeInflatePayload as inflatePayload,
} from './compression/nodeZlib.js';
export {
  createZstdStreamDeflater,
  createZstdStreamInflater,
  zstdAvailable,
  zstdBackend,
} from './compression/nodeZstd.js';
export { syncZlibSupported } from './compression/syncZlibEngine.js';
export * from './index.js';

/** Which implementation `createZlibStream*` / `*Payload` use in this entry. */
export const compressionBackend: 'portable' | 'node:zlib' = 'node:zlib';
