/**
 * Everything this package takes from `@concord/protocol`, in one place: codecs, stream compression, query parsing,
 * intent validation and close codes.
 */
export {
  closeKeepsSession,
  createZlibStreamDeflater,
  createZstdStreamDeflater,
  decodeJson,
  deflatePayload,
  type Encoding,
  type EncodingName,
  GATEWAY_VERSION,
  GatewayCloseCode as CloseCode,
  GatewayQueryError,
  getEncoding,
  IntentsError,
  PRIVILEGED_INTENTS,
  ProtocolError,
  parseGatewayQuery,
  validateIntents,
  zstdAvailable,
} from '@concord/protocol';
