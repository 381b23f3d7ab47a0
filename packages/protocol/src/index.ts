// The main entry: what every gateway user needs (opcodes, close codes, intents, the connect-URL query, the encodings
// table, the errors, the payload envelope). It imports no node: module, so it is the same build in every runtime.
// The specialised parts are subpath entries, each a folder with its own index.ts:
//   @concord/protocol/compression  zlib-stream and zstd-stream (Node resolves it to ./compression/node.ts, with the
//                                  node:zlib fast paths; browsers to the portable ./compression/index.ts)
//   @concord/protocol/json         the JSON codec and its options, quoteUnsafeIntegers
//   @concord/protocol/etf          the ETF codec, EtfError
//   @concord/protocol/msgpack      the MessagePack codec and its limits
//   @concord/protocol/payloads     every payload type (per opcode) and the frame-size checks

export * from './closeCodes.js';
export {
  COMMAND_RATE_LIMIT,
  COMMAND_RATE_WINDOW_MS,
  type CompressionName,
  DEFAULT_HEARTBEAT_INTERVAL,
  GATEWAY_VERSION,
  GATEWAY_VERSIONS,
  MAX_CLIENT_PAYLOAD_BYTES,
  VOICE_GATEWAY_VERSIONS,
} from './constants.js';
export type { Encoding, EncodingName } from './Encoding.js';
export { CodecError } from './encodings/CodecError.js';
export { encodings, getEncoding } from './encodings/encodings.js';
export * from './gatewayQuery.js';
export * from './intents.js';
export * from './opcodes.js';
export { ProtocolError, type ProtocolErrorCode } from './ProtocolError.js';
export {
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
  type GatewayPayload,
  type GatewayReceivePayload,
  type GatewaySendPayload,
  isGatewayPayload,
} from './payloads/payloads.js';
