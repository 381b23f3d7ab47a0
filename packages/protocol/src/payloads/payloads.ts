// Payload shapes come from discord-api-types, so users get the types they already know. Only what it lacks is
// declared here.
import type { GatewayOpcodes } from 'discord-api-types/gateway/v10';

export type {
  GatewayDispatchPayload,
  GatewayHeartbeat,
  GatewayHeartbeatAck,
  GatewayHeartbeatData,
  GatewayHeartbeatRequest,
  GatewayHello,
  GatewayHelloData,
  GatewayIdentify,
  GatewayIdentifyData,
  GatewayIdentifyProperties,
  GatewayInvalidSession,
  GatewayInvalidSessionData,
  GatewayPresenceUpdateData,
  GatewayReadyDispatch,
  GatewayReadyDispatchData,
  GatewayReceivePayload,
  GatewayReconnect,
  GatewayRequestChannelInfo,
  GatewayRequestChannelInfoData,
  GatewayRequestGuildMembers,
  GatewayRequestGuildMembersData,
  GatewayRequestSoundboardSounds,
  GatewayRequestSoundboardSoundsData,
  GatewayResume,
  GatewayResumeData,
  GatewaySendPayload,
  GatewayUpdatePresence,
  GatewayVoiceStateUpdate,
  GatewayVoiceStateUpdateData,
} from 'discord-api-types/gateway/v10';
export { GatewayDispatchEvents } from 'discord-api-types/gateway/v10';

/** The envelope every gateway frame has: `s` and `t` are set on dispatches (op 0) only. */
export interface GatewayPayload<D = unknown, Op extends number = GatewayOpcodes> {
  op: Op;
  d: D;
  s: number | null;
  t: string | null;
}

/**
 * true for a decoded value with the envelope's shape (an object with an integer `op`); what a server checks before
 * dispatching on `op`, closing with 4002 otherwise.
 */
export function isGatewayPayload(value: unknown): value is GatewayPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Number.isInteger((value as { op?: unknown }).op)
  );
}
