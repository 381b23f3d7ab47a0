// Re-exported so that users get the enums they already know from discord-api-types.
export { GatewayOpcodes } from 'discord-api-types/gateway/v10';
export { VoiceOpcodes } from 'discord-api-types/voice/v8';

/**
 * Voice gateway opcodes as a plain object (the names `@concord/voice` has always exported). The values agree with
 * `VoiceOpcodes`; `Video` (12) is not in discord-api-types.
 */
export const VoiceOpcode = {
  Identify: 0,
  SelectProtocol: 1,
  Ready: 2,
  Heartbeat: 3,
  SessionDescription: 4,
  Speaking: 5,
  HeartbeatAck: 6,
  Resume: 7,
  Hello: 8,
  Resumed: 9,
  ClientsConnect: 11,
  /** Sent by Discord clients to describe video streams; accepted and ignored (audio only). */
  Video: 12,
  ClientDisconnect: 13,
} as const;

/** Speaking flags of voice op 5. */
export const SpeakingFlags = { Microphone: 1, Soundshare: 2, Priority: 4 } as const;
