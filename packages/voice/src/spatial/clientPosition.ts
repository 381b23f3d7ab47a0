import { VoiceCloseCode } from '@concord/protocol';
import { Refusal } from '../server/payloads.js';
import type { Position } from './spatialize.js';

export { CLIENT_POSITION_OP } from './clientPositionOp.js';

/** Position updates a member may send per second in trusted mode, unless the channel says (`clientPositionRate`). */
export const DEFAULT_CLIENT_POSITION_RATE = 60;
/** A member sending this many times its budget within one second is flooding: closed with 4021, as for commands. */
export const POSITION_FLOOD_FACTOR = 10;

/** Largest coordinate accepted (as the game API's positions): a game's world fits, a hostile float does not. */
export const MAX_COORDINATE = 1e9;
/** Largest heading accepted, radians (a few turns either way: clients need not wrap it). */
export const MAX_YAW = 100;

function coordinate(value: unknown, limit: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= limit ? value : null;
}

/** Op 1001's data → a Position, or a Refusal (4002) for anything else: missing or non-finite axes, out of bounds. */
export function parseClientPosition(d: unknown): Position | Refusal {
  if (typeof d !== 'object' || d === null || Array.isArray(d))
    return new Refusal(VoiceCloseCode.DecodeFailure, 'position is not an object');
  const data = d as Record<string, unknown>;
  const x = coordinate(data.x, MAX_COORDINATE);
  const y = coordinate(data.y, MAX_COORDINATE);
  if (x === null || y === null) return new Refusal(VoiceCloseCode.DecodeFailure, 'position needs finite x and y');
  const position: Position = { x, y };
  if (data.z !== undefined && data.z !== null) {
    const z = coordinate(data.z, MAX_COORDINATE);
    if (z === null) return new Refusal(VoiceCloseCode.DecodeFailure, 'position z is not a finite coordinate');
    position.z = z;
  }
  if (data.yaw !== undefined && data.yaw !== null) {
    const yaw = coordinate(data.yaw, MAX_YAW);
    if (yaw === null) return new Refusal(VoiceCloseCode.DecodeFailure, 'position yaw is not a finite heading');
    position.yaw = yaw;
  }
  return position;
}
