// `@concord/protocol/compression`, Node build: everything from the portable build, with the compression functions
// backed by node:zlib (native zlib, and zstd where this Node has it). Explicit exports take precedence over the
// `export *` below.

export * from './index.js';
export {
  createNodeZlibStreamDeflater,
  createNodeZlibStreamDeflater as createZlibStreamDeflater,
  createNodeZlibStreamInflater,
  createNodeZlibStreamInflater as createZlibStreamInflater,
  nodeDeflatePayload,
  nodeDeflatePayload as deflatePayload,
  nodeInflatePayload,
  nodeInflatePayload as inflatePayload,
} from './nodeZlib.js';
export { createZstdStreamDeflater, createZstdStreamInflater, zstdAvailable, zstdBackend } from './nodeZstd.js';
export { syncZlibSupported } from './syncZlibEngine.js';

/** Which implementation `createZlibStream*` / `*Payload` use in this entry. */
export const compressionBackend: 'portable' | 'node:zlib' = 'node:zlib';
