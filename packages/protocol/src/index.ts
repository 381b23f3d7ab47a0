// Portable entry (browsers, bundlers, any runtime): no node: imports. Node resolves `@concord/protocol` to
// ./node.ts instead (package.json "node" condition), which swaps in the node:zlib fast paths behind the same API.

export * from './closeCodes.js';
export { CompressionError } from './compression/errors.js';
export {
  createPortableZlibStreamDeflater,
  createPortableZlibStreamDeflater as createZlibStreamDeflater,
  createPortableZlibStreamInflater,
  createPortableZlibStreamInflater as createZlibStreamInflater,
  portableDeflatePayload,
  portableDeflatePayload as deflatePayload,
  portableInflatePayload,
  portableInflatePayload as inflatePayload,
} from './compression/portableZlib.js';
export type { DeflateOptions, InflateOptions, StreamDeflater, StreamInflater } from './compression/types.js';
export { DEFAULT_MAX_INPUT, DEFAULT_MAX_OUTPUT } from './compression/types.js';
export {
  createZstdStreamDeflater,
  createZstdStreamInflater,
  zstdAvailable,
  zstdBackend,
} from './compression/zstdUnavailable.js';
export * from './constants.js';
export type { Encoding, EncodingName } from './Encoding.js';

export { CodecError } from './encodings/CodecError.js';
export { encodings, getEncoding } from './encodings/encodings.js';
export { decodeJson, encodeJson, type JsonOptions, jsonEncoding } from './encodings/json.js';
export { createMsgpackEncoding, type MsgpackOptions, msgpackEncoding } from './encodings/msgpack.js';
export { quoteUnsafeIntegers } from './encodings/quoteUnsafeIntegers.js';
export { decodeEtf, type EtfDecodeOptions, EtfError, type EtfErrorCode, encodeEtf, etfEncoding } from './etf/index.js';
export * from './gatewayQuery.js';
export * from './intents.js';
export * from './opcodes.js';
export { ProtocolError, type ProtocolErrorCode } from './ProtocolError.js';
export * from './payloadSize.js';
export * from './payloads.js';

/** Which implementation `createZlibStream*` / `*Payload` use in this entry. */
export const compressionBackend: 'portable' | 'node:zlib' = 'portable';
