/** Voice gateway opcodes (PROTOCOL.md). */
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

/** Voice gateway close codes (PROTOCOL.md). */
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

/** Close codes after which the session is gone (a resume would get 4006). */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  VoiceCloseCode.AuthenticationFailed,
  VoiceCloseCode.SessionNoLongerValid,
  VoiceCloseCode.SessionTimeout,
  VoiceCloseCode.Disconnected,
  VoiceCloseCode.CallTerminated,
  VoiceCloseCode.UnknownProtocol,
  VoiceCloseCode.UnknownEncryptionMode,
]);

/** Speaking flags of op 5. */
export const SpeakingFlags = { Microphone: 1, Soundshare: 2, Priority: 4 } as const;
