/**
 * @concord/games: what a game studio adds on the server side, over the community packages. The trusted game server's
 * handle (host/GameHost.ts): players, their short-lived tokens (tokens/PlayerTokens.ts), channels, moderation and
 * parties (parties/Party.ts); and the `authenticate` hook that lets players connect with their tokens
 * (auth/createPlayerAuthenticate.ts); text safety and reports (safety/); the server-to-server HTTP API over all of it
 * (api/gameApi.ts); captions and text to speech over the voice server (speech/). The player's side, for
 * a browser or WebGL build, is the `@concord/games/client` subpath (client/). docs/GAMES.md has the whole layer and
 * what is still to come.
 */

export { GameApiError } from './api/GameApiError.js';
export type { GameVoice, Position, PositionalVoiceOptions } from './api/GameVoice.js';
export { type GameApiOptions, gameApi } from './api/gameApi.js';
export { createPlayerAuthenticate, type PlayerAuthenticateOptions } from './auth/createPlayerAuthenticate.js';
export {
  type CreatePartyOptions,
  GameHost,
  type GameHostEvents,
  type GameHostOptions,
  type VoiceControl,
} from './host/GameHost.js';
export { Party, type PartyEndReason, type PartyEvents, type PartyInfo } from './parties/Party.js';
export { PartyError, type PartyErrorCode } from './parties/PartyError.js';
export type { PartyJoinMode } from './parties/PartyJoinMode.js';
export { MAX_PARTY_CAPACITY, partyDefaults } from './parties/partyDefaults.js';
export {
  type AudioClip,
  type AudioEvidenceSource,
  type FileReport,
  type GameReport,
  ReportDesk,
  type ReportedMessage,
} from './safety/ReportDesk.js';
export { type FilteredEvidence, TextSafety, type TextSafetyOptions } from './safety/TextSafety.js';
export { textSafetyDefaults } from './safety/textSafetyDefaults.js';
export {
  type CaptionHost,
  GameCaptions,
  type GameCaptionsOptions,
  type GameCaptionsStats,
} from './speech/GameCaptions.js';
export type {
  SpeechSynthesizer,
  SpeechTranscriber,
  SpeechTranscript,
  SpeechUtterance,
  SpeechVoice,
} from './speech/SpeechVoice.js';
export { PlayerTokenError, type PlayerTokenErrorCode } from './tokens/PlayerTokenError.js';
export {
  type IssueOptions,
  type PlayerClaims,
  type PlayerTokenCheck,
  type PlayerTokenKey,
  type PlayerTokenRefusal,
  PlayerTokens,
  type PlayerTokensOptions,
} from './tokens/PlayerTokens.js';
export { playerTokenDefaults } from './tokens/playerTokenDefaults.js';
