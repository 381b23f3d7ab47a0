import { type Position, type PositionalOptions, type Spatialization, spatialize } from './spatialize.js';

/** What audibility needs of a member: who it is, which room, where. */
export interface Audible {
  readonly userId: string;
  readonly room: string;
  position?: Position | null;
}

/** Why a listener does not hear a speaker. */
export type Silenced = 'blocked' | 'notAddressed' | 'outOfRange';

/** Hearing at full level, centred: a plain room, a teammate on the radio, a whisper. */
export const UNITY: Spatialization = { distance: 0, gain: 1, pan: 0, left: Math.SQRT1_2, right: Math.SQRT1_2 };

/**
 * Who hears whom, in one place for the three paths that need it (forwarding, the server mixer, video): a listener's
 * block list first (a blocked speaker is never heard, whatever else holds), then a speaker's whisper (only the
 * addressed listeners, at full level), then the room: a plain room is heard by all; a positional one by distance,
 * with its team rule. Blocks, whispers and teams are per user, so they hold across reconnects and in every room.
 */
export class Audibility {
  readonly #positional = new Map<string, PositionalOptions>();
  /** Listener → speakers it does not hear. */
  readonly #blocked = new Map<string, ReadonlySet<string>>();
  /** Speaker → the only listeners it reaches. */
  readonly #whispers = new Map<string, ReadonlySet<string>>();
  readonly #teams = new Map<string, string>();

  setPositional(room: string, options: PositionalOptions | null): void {
    if (options) {
      if (!(options.range >= 0)) throw new RangeError('range must be a non-negative number');
      if (options.teams !== undefined && !['ignore', 'radio', 'only'].includes(options.teams))
        throw new RangeError("teams is 'ignore', 'radio' or 'only'");
      if (options.positionSource !== undefined && !['server', 'client'].includes(options.positionSource))
        throw new RangeError("positionSource is 'server' or 'client'");
      const rate = options.clientPositionRate;
      if (rate !== undefined && !(Number.isInteger(rate) && rate >= 1 && rate <= 240))
        throw new RangeError('clientPositionRate is an integer from 1 to 240');
      this.#positional.set(room, { ...options });
    } else this.#positional.delete(room);
  }

  positional(room: string): PositionalOptions | null {
    return this.#positional.get(room) ?? null;
  }

  isPositional(room: string): boolean {
    return this.#positional.has(room);
  }

  /** The speakers `listenerId` does not hear (empty or null: none). Replaces the previous list. */
  setBlocked(listenerId: string, speakerIds: Iterable<string> | null): void {
    const set = speakerIds ? new Set(speakerIds) : null;
    if (set && set.size > 0) this.#blocked.set(listenerId, set);
    else this.#blocked.delete(listenerId);
  }

  blocked(listenerId: string): ReadonlySet<string> {
    return this.#blocked.get(listenerId) ?? new Set();
  }

  /** While set, `speakerId` is heard only by these listeners (at full level); null ends the whisper. */
  setWhisper(speakerId: string, listenerIds: Iterable<string> | null): void {
    if (listenerIds) this.#whispers.set(speakerId, new Set(listenerIds));
    else this.#whispers.delete(speakerId);
  }

  whisper(speakerId: string): ReadonlySet<string> | null {
    return this.#whispers.get(speakerId) ?? null;
  }

  setTeam(userId: string, team: string | null): void {
    if (team === null) this.#teams.delete(userId);
    else this.#teams.set(userId, team);
  }

  team(userId: string): string | null {
    return this.#teams.get(userId) ?? null;
  }

  /**
   * Whether anything but "everyone hears everyone" can apply to this speaker's packets: the forwarding loop asks
   * {@link hear} per listener only then.
   */
  filters(speaker: Audible): boolean {
    return this.#blocked.size > 0 || this.#positional.has(speaker.room) || this.#whispers.has(speaker.userId);
  }

  /** How `listener` hears `speaker`, or why not. */
  hear(speaker: Audible, listener: Audible): Spatialization | Silenced {
    if (this.#blocked.size > 0 && this.#blocked.get(listener.userId)?.has(speaker.userId)) return 'blocked';
    const whisper = this.#whispers.get(speaker.userId);
    if (whisper) return whisper.has(listener.userId) ? UNITY : 'notAddressed';
    const options = this.#positional.get(speaker.room);
    if (!options) return UNITY;
    const teams = options.teams ?? 'ignore';
    if (teams !== 'ignore') {
      const team = this.#teams.get(speaker.userId);
      const same = team !== undefined && team === this.#teams.get(listener.userId);
      if (same && teams === 'radio') return UNITY;
      if (!same && teams === 'only') return 'outOfRange';
    }
    // Fail closed: proximity chat must not leak a voice to someone who was never placed.
    if (!speaker.position || !listener.position) return 'outOfRange';
    return spatialize(speaker.position, listener.position, options) ?? 'outOfRange';
  }
}
