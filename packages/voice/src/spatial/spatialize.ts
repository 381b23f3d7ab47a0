/** A point in the game world. Units are the integrator's (metres, tiles…); only ratios to `range` matter. */
export interface Position {
  x: number;
  y: number;
  z?: number;
  /**
   * Listener heading, radians: 0 faces +y, positive turns towards +x (clockwise seen from above). Only listeners use it;
   * without it the listener faces +y.
   */
  yaw?: number;
}

/** How loudness falls with distance, as Web Audio's PannerNode defines them. */
export type RolloffModel = 'linear' | 'inverse' | 'exponential';

export interface PositionalOptions {
  /** Beyond this distance nothing is forwarded. */
  range: number;
  /** Default 'inverse'. */
  rolloffModel?: RolloffModel;
  /** Distance under which the gain is 1 (default 1, clamped to `range`). */
  refDistance?: number;
  /** Steepness of the inverse and exponential models (default 1). */
  rolloffFactor?: number;
  /**
   * Teams (set per user, VoiceServer.setTeam) in this room: `'ignore'` (default) teams change nothing; `'radio'`
   * teammates hear each other anywhere, at full level, and everyone else by distance; `'only'` only teammates hear
   * each other, by distance.
   */
  teams?: 'ignore' | 'radio' | 'only';
  /**
   * Who says where members are: `'server'` (default) the game server alone (`VoiceServer.setPositions`); `'client'`
   * ("trusted mode") also each member itself, over its voice connection (op 1001, spatial/clientPosition.ts), at the
   * game's tick rate. The game server may still set positions in trusted mode (a teleport, a respawn).
   */
  positionSource?: 'server' | 'client';
  /** Trusted mode: position updates one member may send per second (default 60, 1–240); the rest are dropped. */
  clientPositionRate?: number;
}

/** What one listener should hear of one speaker: overall gain (0-1), pan (-1 left … 1 right) and per-channel gains. */
export interface Spatialization {
  distance: number;
  gain: number;
  pan: number;
  left: number;
  right: number;
}

/** Returns how `listener` hears `speaker`, or null when out of range (or a position is not finite). */
export function spatialize(speaker: Position, listener: Position, options: PositionalOptions): Spatialization | null {
  const rx = speaker.x - listener.x;
  const ry = speaker.y - listener.y;
  const rz = (speaker.z ?? 0) - (listener.z ?? 0);
  const distance = Math.hypot(rx, ry, rz);
  if (!Number.isFinite(distance) || !(distance <= options.range)) return null;
  const gain = rolloff(distance, options);
  const yaw = listener.yaw ?? 0;
  // Component of the offset along the listener's right-hand direction (cos yaw, -sin yaw).
  const right = rx * Math.cos(yaw) - ry * Math.sin(yaw);
  const pan = distance > 0 ? Math.max(-1, Math.min(1, right / distance)) : 0;
  // Equal-power law: left² + right² = gain², so moving around a listener does not change loudness.
  const angle = ((pan + 1) * Math.PI) / 4;
  return { distance, gain, pan, left: gain * Math.cos(angle), right: gain * Math.sin(angle) };
}

function rolloff(distance: number, options: PositionalOptions): number {
  const ref = Math.max(0, Math.min(options.range, options.refDistance ?? 1));
  const factor = options.rolloffFactor ?? 1;
  if (distance <= ref) return 1;
  switch (options.rolloffModel ?? 'inverse') {
    case 'linear':
      return options.range === ref ? 1 : Math.max(0, 1 - (factor * (distance - ref)) / (options.range - ref));
    case 'exponential':
      return ref === 0 ? 0 : (distance / ref) ** -factor;
    default:
      return ref === 0 ? 0 : ref / (ref + factor * (distance - ref));
  }
}
