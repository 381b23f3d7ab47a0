// `@concord/protocol/payloads`: every gateway payload type (the per-opcode shapes from discord-api-types, our
// `GatewayPayload` envelope) and the frame-size checks. The main entry re-exports the envelope and the three unions.
export * from './payloadSize.js';
export * from './payloads.js';
