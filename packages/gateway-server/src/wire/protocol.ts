/**
 * Everything this package takes from `@concord/protocol`, in one place: codecs, stream compression, query parsing,
 * intent validation, close codes and the permission computation.
 */
export {
  closeKeepsSession,
  type Encoding,
  type EncodingName,
  GATEWAY_VERSION,
  GatewayCloseCode as CloseCode,
  GatewayIntentBits,
  GatewayOpcodes,
  GatewayQueryError,
  getEncoding,
  IntentsError,
  PRIVILEGED_INTENTS,
  ProtocolError,
  parseGatewayQuery,
  validateIntents,
} from '@concord/protocol';
export {
  createZlibStreamDeflater,
  createZstdStreamDeflater,
  deflatePayload,
  zstdAvailable,
} from '@concord/protocol/compression';
export { decodeJson } from '@concord/protocol/json';
export {
  computePermissions,
  type PermissionChannel,
  type PermissionGuild,
  type PermissionOverwrite,
} from '@concord/protocol/permissions';
