// `@concord/voice/browser`: voice in a browser, over WebRTC, against a Concord voice server. No Node module is
// imported here (packages/voice/__tests__/browserEntry.test.ts checks the built file): a page bundles it as it is.
// BrowserVoiceSession is the whole connection; the pieces it is built of are here for pages with more to do (video,
// Go Live: examples/chat-server/src/page/).
export { CLIENT_POSITION_OP } from '../spatial/clientPositionOp.js';
export {
  BrowserVoiceSession,
  type BrowserVoiceSessionEvents,
  type BrowserVoiceSessionOptions,
  type BrowserVoiceStatus,
  type ClientPosition,
  defaultBrowserVoiceSessionOptions,
  type InboundAudio,
} from './BrowserVoiceSession.js';
export { codecsOf } from './codecsOf.js';
export { VoiceGatewayClosedError } from './VoiceGatewayClosedError.js';
export { VoiceGatewaySocket, type VoiceIdentity, type VoiceMessageHandler } from './VoiceGatewaySocket.js';
export { SLOTS, type SlotTrack, VoicePeer, type VoicePeerOptions } from './VoicePeer.js';
export type { VoiceReady } from './VoiceReady.js';
export { videoPayload } from './videoPayload.js';
export { voiceUrl } from './voiceUrl.js';
export { type LevelMeter, watchLevel } from './watchLevel.js';
