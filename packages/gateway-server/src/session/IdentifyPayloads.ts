import { guildCreateParts } from '../buildGuildCreate.js';
import { PreparedDispatch } from '../PreparedDispatch.js';
import { serializeGuildCreate } from '../serialize/serializeGuildCreate.js';
import { guildCreateJsonPieces } from '../serialize/serializeGuildCreateJson.js';
import { type ReadyInput, serializeReady } from '../serialize/serializeReady.js';
import { serializeReadyJson } from '../serialize/serializeReadyJson.js';
import { sharedString } from '../transport/sharedStrings.js';
import type { GuildMemberData, GuildSnapshot, PresenceData } from '../types.js';
import type { Rebuildable } from './ReplayBuffer.js';
import type { Session } from './Session.js';

/** What an Identify decided beyond the session itself, for {@link IdentifyPayloads}. */
export interface IdentifyInputs {
  /** Gateway version of the connection that identified (READY.v). */
  v: number;
  resumeGatewayUrl: string;
  /** The client identified with `shard`: READY carries it (as Discord's does). */
  withShard: boolean;
  /** The session's guilds on its shard; null = not found (no GUILD_CREATE). */
  guilds: readonly (GuildSnapshot | null)[];
  /** Per guild (same index), the members looked up by id for a large guild (see buildGuildCreate). */
  largeMembers: readonly (GuildMemberData[] | undefined)[];
  /** Per guild (same index), those members' presences. */
  largePresences: readonly (PresenceData[] | undefined)[];
}

/**
 * A session's READY and GUILD_CREATEs as what makes them: one object per session, kept in its replay buffer for all
 * of them until the client acknowledges them (its first heartbeat, ~40 s), for a Resume from seq 0 that rarely comes.
 * It holds references to what the server keeps anyway (the session, the guild snapshots, the members looked up for
 * a large guild), not the payloads: as objects they were ~2 KB per session, and a closure per payload with its scope
 * ~400 B. READY is the seq the session numbers next when this is made; the GUILD_CREATE of the k-th guild found
 * follows it at `+ k`. Rebuilt from the same inputs, a payload is the same bytes.
 */
export class IdentifyPayloads implements Rebuildable {
  // The inputs' fields kept on this object itself rather than the inputs object: one object per session, not two.
  readonly #session: Session;
  readonly #v: number;
  readonly #resumeGatewayUrl: string;
  readonly #withShard: boolean;
  /** READY's seq. */
  readonly #first: number;
  // With one guild (most sessions) its snapshot and lists themselves, with several the inputs' arrays by index: an
  // array per list per session was ~110 bytes more. A snapshot is never an array, so `#guilds` tells which.
  readonly #guilds: GuildSnapshot | null | readonly (GuildSnapshot | null)[];
  readonly #largeMembers: GuildMemberData[] | readonly (GuildMemberData[] | undefined)[] | undefined;
  readonly #largePresences: PresenceData[] | readonly (PresenceData[] | undefined)[] | undefined;

  /** Made right before the session sends READY (its next seq is READY's). */
  constructor(session: Session, inputs: IdentifyInputs) {
    this.#session = session;
    this.#v = inputs.v;
    // One string per resume URL (`ws://` + the Host the client used): nearly all sessions have the same one.
    this.#resumeGatewayUrl = sharedString(inputs.resumeGatewayUrl);
    this.#withShard = inputs.withShard;
    this.#first = session.seq + 1;
    if (inputs.guilds.length === 1) {
      this.#guilds = inputs.guilds[0] ?? null;
      this.#largeMembers = inputs.largeMembers[0];
      this.#largePresences = inputs.largePresences[0];
    } else {
      this.#guilds = inputs.guilds;
      this.#largeMembers = inputs.largeMembers.some((m) => m !== undefined) ? inputs.largeMembers : undefined;
      this.#largePresences = inputs.largePresences.some((p) => p !== undefined) ? inputs.largePresences : undefined;
    }
  }

  /** READY and one GUILD_CREATE per guild found: how many seqs these payloads take. */
  get count(): number {
    let n = 1;
    for (let i = 0; i < lengthOf(this.#guilds); i++) if (guildAt(this.#guilds, i)) n++;
    return n;
  }

  rebuild(seq: number): PreparedDispatch {
    const index = seq - this.#first;
    const session = this.#session;
    if (index === 0) {
      const guildIds: string[] = [];
      for (let i = 0; i < lengthOf(this.#guilds); i++) {
        const guild = guildAt(this.#guilds, i);
        if (guild) guildIds.push(guild.id);
      }
      const input: ReadyInput = {
        v: this.#v,
        user: session.user,
        guildIds,
        sessionId: session.sessionId,
        resumeGatewayUrl: this.#resumeGatewayUrl,
        ...(this.#withShard ? { shard: session.shard } : {}),
        application: session.application,
      };
      // A JSON session gets READY written as text around its user and application (serializeReadyJson.ts): the same
      // bytes, without the object and the encoder's walk of it.
      const json = session.connection?.encodingLabel === 'json' ? serializeReadyJson(input) : null;
      return json !== null
        ? PreparedDispatch.jsonForOne('READY', json)
        : PreparedDispatch.forOne('READY', serializeReady(input));
    }
    let k = 0;
    for (let i = 0; i < lengthOf(this.#guilds); i++) {
      const guild = guildAt(this.#guilds, i);
      if (guild && ++k === index) {
        const several = Array.isArray(this.#guilds);
        const members = several
          ? (this.#largeMembers as readonly (GuildMemberData[] | undefined)[] | undefined)?.[i]
          : (this.#largeMembers as GuildMemberData[] | undefined);
        const presences = several
          ? (this.#largePresences as readonly (PresenceData[] | undefined)[] | undefined)?.[i]
          : (this.#largePresences as PresenceData[] | undefined);
        const parts = guildCreateParts(guild, session, members, presences);
        // A JSON session (most are) gets the snapshot's part as bytes made once per snapshot and only its own fields
        // stringified now (serializeGuildCreateJson.ts), written straight into its frame: the same bytes, without
        // building and encoding the whole ~3 KB guild per Identify. Other encodings encode the object.
        const json = session.connection?.encodingLabel === 'json' ? guildCreateJsonPieces(guild, parts) : null;
        return json !== null
          ? PreparedDispatch.jsonForOne('GUILD_CREATE', json)
          : PreparedDispatch.forOne('GUILD_CREATE', serializeGuildCreate(guild, parts));
      }
    }
    throw new RangeError(`seq ${seq} is not one of this session's Identify payloads`);
  }
}

// Module functions rather than private methods: a class with private methods carries a brand field in every instance.
function lengthOf(guilds: GuildSnapshot | null | readonly (GuildSnapshot | null)[]): number {
  return isList(guilds) ? guilds.length : 1;
}

function guildAt(guilds: GuildSnapshot | null | readonly (GuildSnapshot | null)[], i: number): GuildSnapshot | null {
  return isList(guilds) ? (guilds[i] ?? null) : guilds;
}

/** `Array.isArray` for a readonly array (which it does not narrow). */
function isList<T>(value: T | readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}
