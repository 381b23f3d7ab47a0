// `@concord/storage-adapters/blobs`: attachment storage (the BlobStore interface, a local-disk store) and a node:http
// handler serving it like Discord's CDN. A subpath of its own: it needs node:fs and node:http, the main entry does not.
export * from './BlobError.js';
export type { BlobBody, BlobInfo, BlobPutOptions, BlobRange, BlobReadResult, BlobStore } from './BlobStore.js';
export {
  BLOB_REQUEST_HANDLER_DEFAULTS,
  type BlobRequestHandler,
  type BlobRequestHandlerOptions,
  createBlobRequestHandler,
} from './createBlobRequestHandler.js';
export {
  createLocalDiskBlobStore,
  LOCAL_DISK_BLOB_STORE_DEFAULTS,
  type LocalDiskBlobStoreOptions,
} from './createLocalDiskBlobStore.js';
export { formatContentDisposition, isInlineContentType } from './formatContentDisposition.js';
export { type ParsedRange, parseRangeHeader } from './parseRangeHeader.js';
export { DIMENSION_SCAN_BYTES, type ImageDimensions, readImageDimensions } from './readImageDimensions.js';
export { contentTypeEssence, normalizeContentType, resolveContentType } from './resolveContentType.js';
export { SNIFF_BYTES, sniffContentType } from './sniffContentType.js';
export { BLOB_KEY_LIMITS, isValidBlobKey, validateBlobKey } from './validateBlobKey.js';
