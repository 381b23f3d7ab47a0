// `@concord/games/client`: the player's side, for a browser or WebGL build (docs/GAMES.md, "A browser client"). No
// Node module: a page bundles it as it is (voice needs the browser's WebRTC; text runs wherever a WebSocket does).

export type { PartyInfo } from '../parties/Party.js';
export { GameClient } from './GameClient.js';
export { GameClientError, type GameClientErrorCode } from './GameClientError.js';
export type { GameClientEvents, GameMessage, GamePlayer } from './GameClientEvents.js';
export type { GameClientOptions } from './GameClientOptions.js';
export { gameClientDefaults } from './gameClientDefaults.js';
