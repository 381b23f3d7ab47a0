import type { GameClientOptions } from './GameClientOptions.js';

/** Defaults of {@link GameClientOptions}. */
export const gameClientDefaults = {
  /** GUILDS | GUILD_VOICE_STATES | GUILD_MESSAGES | MESSAGE_CONTENT: what the engine contract asks for. */
  intents: 1 | 128 | 512 | 32768,
  /** Identify's `properties`. */
  properties: { os: 'web', browser: 'concord-game-client', device: 'concord-game-client' },
  /** How long {@link GameClient.joinVoice} waits for VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE, ms. */
  voiceTimeoutMs: 15_000,
} as const satisfies Partial<GameClientOptions>;
