/**
 * Everything this package takes from `@concord/protocol`, in one place: codecs, stream compression, query parsing
 * and intent validation.
 */
export {
  createZlibStreamDeflater,
  createZstdStreamDeflater,
  decodeJson,
  deflatePayload,
  type Encoding,
  type EncodingName,
  GATEWAY_VERSION,
  GatewayQueryError,
  getEncoding,
  IntentsError,
  PRIVILEGED_INTENTS,
  ProtocolError,
  parseGatewayQuery,
  validateIntents,
  zstdAvailable,
} from '@concord/protocol';
