import { GatewayCloseCodes } from 'discord-api-types/gateway/v10';
import { VoiceCloseCodes } from 'discord-api-types/voice/v8';

export { GatewayCloseCodes, VoiceCloseCodes };

/** Gateway close codes as a plain object (`CloseCode` in `@concord/gateway-server`); values agree with `GatewayCloseCodes`. */
export const GatewayCloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  RateLimited: 4008,
  SessionTimedOut: 4009,
  InvalidShard: 4010,
  ShardingRequired: 4011,
  InvalidAPIVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014,
} as const;

/**
 * Voice gateway close codes as a plain object (the names `@concord/voice` has always exported). The values agree with
 * `VoiceCloseCodes`, where 4002 is called `FailedToDecode`.
 */
export const VoiceCloseCode = {
  UnknownOpcode: 4001,
  DecodeFailure: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  SessionNoLongerValid: 4006,
  SessionTimeout: 4009,
  ServerNotFound: 4011,
  UnknownProtocol: 4012,
  Disconnected: 4014,
  VoiceServerCrashed: 4015,
  UnknownEncryptionMode: 4016,
  BadRequest: 4020,
  RateLimited: 4021,
  CallTerminated: 4022,
} as const;

/**
 * What a client should do after the server closed with a given code. Exactly one of the three flags is true:
 * `resume` (reconnect and Resume the session), `reconnect` (reconnect and Identify a new session), `fatal` (stop).
 */
export interface CloseCodeInfo {
  readonly code: number;
  readonly description: string;
  readonly resume: boolean;
  readonly reconnect: boolean;
  readonly fatal: boolean;
  /** false for codes this table does not list (the defaults of `closeCodeInfo` were applied). */
  readonly known: boolean;
}

type Action = 'resume' | 'reconnect' | 'fatal';

function info(code: number, action: Action, description: string, known = true): CloseCodeInfo {
  return Object.freeze({
    code,
    description,
    resume: action === 'resume',
    reconnect: action === 'reconnect',
    fatal: action === 'fatal',
    known,
  });
}

function table(rows: readonly [number, Action, string][]): ReadonlyMap<number, CloseCodeInfo> {
  return new Map(rows.map(([code, action, description]) => [code, info(code, action, description)]));
}

/** Gateway close codes: docs/protocol.md, "Gateway close codes" (Discord's docs: "Gateway Close Event Codes"). */
export const GATEWAY_CLOSE_CODES: ReadonlyMap<number, CloseCodeInfo> = table([
  [GatewayCloseCodes.UnknownError, 'resume', 'Unknown error'],
  [GatewayCloseCodes.UnknownOpcode, 'resume', 'Unknown opcode'],
  [GatewayCloseCodes.DecodeError, 'resume', 'Decode error (bad payload, or client payload over 4096 bytes)'],
  [GatewayCloseCodes.NotAuthenticated, 'resume', 'Not authenticated (command before Identify)'],
  [GatewayCloseCodes.AuthenticationFailed, 'fatal', 'Authentication failed'],
  [GatewayCloseCodes.AlreadyAuthenticated, 'resume', 'Already authenticated'],
  [GatewayCloseCodes.InvalidSeq, 'reconnect', 'Invalid seq on resume'],
  [GatewayCloseCodes.RateLimited, 'resume', 'Rate limited (more than 120 commands / 60 s)'],
  [GatewayCloseCodes.SessionTimedOut, 'reconnect', 'Session timed out'],
  [GatewayCloseCodes.InvalidShard, 'fatal', 'Invalid shard'],
  [GatewayCloseCodes.ShardingRequired, 'fatal', 'Sharding required'],
  [GatewayCloseCodes.InvalidAPIVersion, 'fatal', 'Invalid API version'],
  [GatewayCloseCodes.InvalidIntents, 'fatal', 'Invalid intents'],
  [GatewayCloseCodes.DisallowedIntents, 'fatal', 'Disallowed (privileged) intents'],
]);

/** Voice gateway close codes: docs/protocol.md, "Voice close codes" (Discord's docs: "Voice Close Event Codes"). */
export const VOICE_CLOSE_CODES: ReadonlyMap<number, CloseCodeInfo> = table([
  [VoiceCloseCodes.UnknownOpcode, 'reconnect', 'Unknown opcode'],
  [VoiceCloseCodes.FailedToDecode, 'reconnect', 'Failed to decode payload'],
  [VoiceCloseCodes.NotAuthenticated, 'reconnect', 'Not authenticated'],
  [VoiceCloseCodes.AuthenticationFailed, 'fatal', 'Authentication failed'],
  [VoiceCloseCodes.AlreadyAuthenticated, 'reconnect', 'Already authenticated'],
  [VoiceCloseCodes.SessionNoLongerValid, 'reconnect', 'Session no longer valid'],
  [VoiceCloseCodes.SessionTimeout, 'reconnect', 'Session timeout'],
  [VoiceCloseCodes.ServerNotFound, 'reconnect', 'Server not found'],
  [VoiceCloseCodes.UnknownProtocol, 'fatal', 'Unknown protocol'],
  [VoiceCloseCodes.Disconnected, 'fatal', 'Disconnected (channel deleted, kicked, or main session dropped)'],
  [VoiceCloseCodes.VoiceServerCrashed, 'resume', 'Voice server crashed'],
  [VoiceCloseCodes.UnknownEncryptionMode, 'fatal', 'Unknown encryption mode'],
  [VoiceCloseCodes.EndToEndEncryptionDAVEProtocolRequired, 'fatal', 'E2EE/DAVE protocol required'],
  [VoiceCloseCodes.BadRequest, 'fatal', 'Bad request'],
  [VoiceCloseCodes.RateLimited, 'fatal', 'Rate limited'],
  [VoiceCloseCodes.CallTerminated, 'fatal', 'Call terminated'],
]);

function fallback(code: number): CloseCodeInfo {
  // 1000/1001 mean the peer ended the session on purpose; anything else (1006 dropped, unknown 4xxx) leaves it
  // resumable, which is what docs/protocol.md ("Gateway close codes") and the reference clients assume.
  if (code === 1000 || code === 1001) return info(code, 'reconnect', 'Normal closure (session ended)', false);
  return info(code, 'resume', 'Unknown close code', false);
}

/** Metadata for a gateway close code; codes the table does not list default to "resume". */
export function closeCodeInfo(code: number): CloseCodeInfo {
  return GATEWAY_CLOSE_CODES.get(code) ?? fallback(code);
}

/**
 * Whether a gateway session stays resumable after the server closed with `code`: exactly the listed codes marked
 * `resume` (4000, 4001, 4002, 4003, 4005, 4008). Unlike `closeCodeInfo`, unlisted codes count as ending the session.
 */
export function closeKeepsSession(code: number): boolean {
  return GATEWAY_CLOSE_CODES.get(code)?.resume === true;
}

/** Metadata for a voice gateway close code; codes the table does not list default to "resume". */
export function voiceCloseCodeInfo(code: number): CloseCodeInfo {
  return VOICE_CLOSE_CODES.get(code) ?? fallback(code);
}
