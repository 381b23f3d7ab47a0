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
  /** Video: a client's camera/screen streams (SSRCs, simulcast layers, on/off); relayed to the others with `user_id`. */
  Video: 12,
  ClientDisconnect: 13,
  /** Media Sink Wants: the video quality a receiver wants, `{"any": 0-100}` or per sender video SSRC. */
  MediaSinkWants: 15,
  /** DAVE end-to-end encryption (docs/protocol.md › DAVE): 21–24 and 31 are JSON, 25–30 binary frames. */
  DavePrepareTransition: 21,
  DaveExecuteTransition: 22,
  DaveTransitionReady: 23,
  DavePrepareEpoch: 24,
  DaveMlsExternalSender: 25,
  DaveMlsKeyPackage: 26,
  DaveMlsProposals: 27,
  DaveMlsCommitWelcome: 28,
  DaveMlsAnnounceCommitTransition: 29,
  DaveMlsWelcome: 30,
  DaveMlsInvalidCommitWelcome: 31,
} as const;

/** Speaking flags of voice op 5. */
export const SpeakingFlags = { Microphone: 1, Soundshare: 2, Priority: 4 } as const;
