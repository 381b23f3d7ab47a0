// `@concord/protocol/compression`, portable build (browsers, bundlers, any runtime): no node: imports. Node resolves
// the subpath to ./node.ts instead (package.json "node" condition), which swaps in the node:zlib fast paths behind
// the same API.

export { ZLIB_SUFFIX } from '../constants.js';
export { CompressionError } from './errors.js';
export {
  createPortableZlibStreamDeflater,
  createPortableZlibStreamDeflater as createZlibStreamDeflater,
  createPortableZlibStreamInflater,
  createPortableZlibStreamInflater as createZlibStreamInflater,
  portableDeflatePayload,
  portableDeflatePayload as deflatePayload,
  portableInflatePayload,
  portableInflatePayload as inflatePayload,
} from './portableZlib.js';
export type { DeflateOptions, InflateOptions, StreamDeflater, StreamInflater } from './types.js';
export { DEFAULT_MAX_INPUT, DEFAULT_MAX_OUTPUT } from './types.js';
export {
  createZstdStreamDeflater,
  createZstdStreamInflater,
  zstdAvailable,
  zstdBackend,
} from './zstdUnavailable.js';

/** Which implementation `createZlibStream*` / `*Payload` use in this entry. */
export const compressionBackend: 'portable' | 'node:zlib' = 'portable';
