/** A point in the game world (the voice server's `Position`). */
export interface Position {
  x: number;
  y: number;
  z?: number;
  yaw?: number;
}

/** A positional voice channel's settings (the voice server's `PositionalOptions`). */
export interface PositionalVoiceOptions {
  range: number;
  rolloffModel?: 'linear' | 'inverse' | 'exponential';
  refDistance?: number;
  rolloffFactor?: number;
  teams?: 'ignore' | 'radio' | 'only';
  /** `'client'`: players also send their own positions over voice (trusted mode, docs/ENGINE-CONTRACT.md). */
  positionSource?: 'server' | 'client';
  /** Trusted mode: updates per second one player may send (default 60, 1–240). */
  clientPositionRate?: number;
}

/** What the voice routes drive: `@concord/voice`'s VoiceServer has these methods. */
export interface GameVoice {
  setPositional(guildId: string, channelId: string, options: PositionalVoiceOptions | null): void;
  setPositions(guildId: string, channelId: string, positions: Iterable<readonly [string, Position | null]>): void;
  setTeam(userId: string, team: string | null): void;
  setWhisper(userId: string, toUserIds: Iterable<string> | null): void;
  setBlocked(userId: string, blockedUserIds: Iterable<string> | null): void;
  recordEvidence(guildId: string, channelId: string, seconds: number | null): void;
}
