import type { BrowserVoiceStatus } from '@concord/voice/browser';

/** A chat message in the party's channel, as the client shows it. */
export interface GameMessage {
  id: string;
  channelId: string;
  author: { id: string; username: string; globalName: string | null };
  content: string;
  timestamp: string;
}

/** The player, from READY. */
export interface GamePlayer {
  id: string;
  username: string;
  globalName: string | null;
}

export interface GameClientEvents {
  /** Connected (READY): who the player is, in which game (the guild). */
  ready: [player: GamePlayer, guildId: string];
  /** A message in the party's channel (the player's own included). */
  message: [message: GameMessage];
  /** The party ended or the player is out of it (kicked, left, the channel deleted). */
  partyLeft: [partyId: string];
  /** A voice state in the game changed: `channelId` null when that player left voice. */
  voiceState: [userId: string, channelId: string | null];
  /** The voice connection's status. */
  voiceStatus: [status: BrowserVoiceStatus];
  /** A remote player's audio track (play it). */
  voiceTrack: [userId: string, track: MediaStreamTrack];
  /** Someone (the player included) started or stopped speaking. */
  speaking: [userId: string, speaking: boolean];
  /** Something went wrong that no call can report (a dropped voice connection, a bad message). */
  error: [error: Error];
}
