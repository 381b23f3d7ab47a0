import { isObject } from '../isObject.js';
import { PreparedDispatch } from '../PreparedDispatch.js';
import { readSnowflake } from '../readSnowflake.js';
import type { Session } from '../session/Session.js';

/**
 * op 31 Request Soundboard Sounds: a SOUNDBOARD_SOUNDS per requested guild the session has (no sounds: the server
 * keeps none). Anything malformed asks for nothing.
 */
export function requestSoundboardSounds(session: Session, d: unknown): void {
  const ids = isObject(d) && Array.isArray(d.guild_ids) ? d.guild_ids : [];
  // Once per guild: a list repeating one id must not turn one command into a hundred dispatches.
  for (const id of new Set(ids.slice(0, 100).map(readSnowflake))) {
    if (id !== null && session.guilds.has(id)) {
      session.send(PreparedDispatch.forOne('SOUNDBOARD_SOUNDS', { guild_id: id, soundboard_sounds: [] }), true);
    }
  }
}
