import { isLargeFor } from '../buildGuildCreate.js';
import type { Directory, MemberQuery } from '../Directory.js';
import type { IdentifyThrottle } from '../IdentifyThrottle.js';
import { isObject } from '../isObject.js';
import { isThenable } from '../isThenable.js';
import { newSessionId } from '../newSessionId.js';
import type { SessionStartLimiter } from '../SessionStartLimiter.js';
import { IdentifyPayloads } from '../session/IdentifyPayloads.js';
import type { LiveConnection, LiveSession } from '../session/LiveSession.js';
import { Session } from '../session/Session.js';
import { shardOf } from '../shardOf.js';
import type {
  AuthenticatedUser,
  Awaitable,
  GatewayMetrics,
  GuildMemberData,
  GuildSnapshot,
  PresenceData,
  UserData,
} from '../types.js';
import { type ValidPresence, validatePresence } from '../validatePresence.js';
import { CloseCode, GatewayIntentBits, IntentsError, PRIVILEGED_INTENTS, validateIntents } from '../wire/protocol.js';
import type { IdentifyAddressLimiter } from './IdentifyAddressLimiter.js';
import { parseShard } from './parseShard.js';

/** What op 2 Identify needs from the server. */
export interface IdentifyContext {
  readonly directory: Directory;
  readonly throttle: IdentifyThrottle;
  /** Identifies per remote address; null = unlimited. */
  readonly addressLimiter: IdentifyAddressLimiter | null;
  readonly startLimiter: SessionStartLimiter;
  readonly metrics: GatewayMetrics | undefined;
  readonly maxConcurrency: number;
  readonly largeThreshold: number;
  readonly replayBufferSize: number;
  /** The integrator's `authenticate`, for the token as sent (`Bot ` prefix included). */
  authenticate(connection: LiveConnection, token: string): Awaitable<AuthenticatedUser | null | undefined>;
  /** The integrator's `privilegedIntentsAllowed`; undefined = every privileged intent allowed. */
  privilegedIntentsAllowed: ((user: UserData) => Awaitable<boolean | number>) | undefined;
  /** The server closed meanwhile: a session made now would outlive it. */
  closed(): boolean;
  resumeUrl(connection: LiveConnection): string;
  /** Puts a new session in the registry and its guilds. */
  register(session: LiveSession, guildIds: readonly string[]): void;
  setPresence(session: LiveSession, presence: ValidPresence): void;
  identified(session: LiveSession): void;
  internalError(connection: LiveConnection, error: unknown): void;
}

/**
 * op 2 Identify: checks the payload, the per-address limit, the token, the shard and the intents, waits for the
 * identify bucket and the session-start budget, then makes the session and sends READY and its GUILD_CREATEs.
 */
export class IdentifyHandler {
  readonly #context: IdentifyContext;

  constructor(context: IdentifyContext) {
    this.#context = context;
  }

  /** Forgets idle buckets (the liveness sweep calls it). */
  prune(now: number): void {
    this.#context.throttle.prune?.(now);
    this.#context.addressLimiter?.prune(now);
  }

  async identify(connection: LiveConnection, d: unknown): Promise<void> {
    const context = this.#context;
    if (connection.session || connection.authenticating) {
      connection.close(CloseCode.AlreadyAuthenticated, 'Already authenticated');
      return;
    }
    if (!isObject(d) || typeof d.token !== 'string') {
      connection.close(CloseCode.DecodeError, 'Invalid Identify payload');
      return;
    }
    // The same rules as op 3, checked before any work: an invalid presence is an invalid Identify.
    let presence: ValidPresence | undefined;
    if (d.presence !== undefined && d.presence !== null) {
      const checked = validatePresence(d.presence);
      if (!checked.ok) {
        connection.close(CloseCode.DecodeError, 'Invalid Identify payload');
        return;
      }
      presence = checked.presence;
    }
    // Before `authenticate`: failed attempts cost the server too (and may create users, with dev auth).
    if (context.addressLimiter !== null && !context.addressLimiter.take(connection.remoteAddress)) {
      context.metrics?.rateLimited?.('identify_address');
      connection.close(CloseCode.RateLimited, 'Rate limited');
      return;
    }
    connection.authenticating = true;
    try {
      // An answer given at once (a user the integrator holds) is not awaited: the Identify goes on in this turn.
      const answer = context.authenticate(connection, d.token);
      const auth = isThenable(answer) ? await answer : answer;
      if (connection.closed) return;
      if (!auth) {
        context.metrics?.identify('auth_failed');
        connection.close(CloseCode.AuthenticationFailed, 'Authentication failed');
        return;
      }
      const shard = parseShard(d.shard);
      if (!shard) {
        context.metrics?.identify('invalid_shard');
        connection.close(CloseCode.InvalidShard, 'Invalid shard');
        return;
      }
      if (auth.minShards !== undefined && shard[1] < auth.minShards) {
        context.metrics?.identify('invalid_shard');
        connection.close(CloseCode.ShardingRequired, 'Sharding required');
        return;
      }
      let allowed: boolean | number = true;
      if (context.privilegedIntentsAllowed) {
        const answer = context.privilegedIntentsAllowed(auth.user);
        allowed = isThenable(answer) ? await answer : answer;
        if (connection.closed) return;
      }
      const granted = allowed === true ? PRIVILEGED_INTENTS : allowed === false ? 0 : allowed & PRIVILEGED_INTENTS;
      let intents: number;
      try {
        intents = validateIntents(d.intents, { granted });
        // Before v10 Discord applies MESSAGE_CONTENT to an application allowed it without it being asked for.
        if (connection.version < 10) intents |= granted & GatewayIntentBits.MessageContent;
      } catch (error) {
        if (!(error instanceof IntentsError)) throw error;
        const disallowed = error.closeCode === CloseCode.DisallowedIntents;
        context.metrics?.identify(disallowed ? 'disallowed_intents' : 'invalid_intents');
        connection.close(error.closeCode, disallowed ? 'Disallowed intent(s)' : 'Invalid intent(s)');
        return;
      }
      // Hooks that answer synchronously (the in-memory limiters, a directory with the guilds loaded) are not awaited:
      // each await is a microtask turn, and an Identify made half a dozen of them.
      const userId = auth.user.id;
      const limit = context.startLimiter.get(userId);
      if ((isThenable(limit) ? await limit : limit).remaining <= 0) {
        connection.sendControl(9, false);
        return;
      }
      // Bucket per application (user) and shard_id % max_concurrency; the throttle may be shared by every node.
      const bucket = `${userId}:${shard[0] % context.maxConcurrency}`;
      if (context.throttle.pass?.(bucket) !== true) {
        if (await context.throttle.wait(bucket, () => connection.closed)) context.metrics?.rateLimited?.('identify');
        if (connection.closed) return;
      }
      const consumed = context.startLimiter.consume(userId);
      if (!(isThenable(consumed) ? await consumed : consumed)) {
        connection.sendControl(9, false);
        return;
      }
      const memberOf = context.directory.guildsOf(userId);
      const guildIds = onShard(isThenable(memberOf) ? await memberOf : memberOf, shard);
      const looked = lookUpGuilds(context.directory, guildIds);
      const snapshots = isThenable(looked) ? await looked : looked;
      if (connection.closed || context.closed()) return;

      const threshold = typeof d.large_threshold === 'number' ? d.large_threshold : context.largeThreshold;
      const session: LiveSession = new Session<LiveConnection>({
        sessionId: newSessionId(),
        auth,
        intents,
        shard,
        largeThreshold: Math.min(250, Math.max(50, Math.trunc(threshold) || 50)),
        replayBufferSize: context.replayBufferSize,
      });
      const found = lookUpLargeMembers(context.directory, snapshots, session);
      const largeMembers = isThenable(found) ? await found : found;
      // Their presences by id too (GUILD_PRESENCES): the snapshot's list would walk every member of the guild.
      const presencesFound = lookUpLargePresences(
        context.directory,
        snapshots,
        largeMembers,
        (intents & GatewayIntentBits.GuildPresences) !== 0,
      );
      const largePresences = isThenable(presencesFound) ? await presencesFound : presencesFound;
      if (connection.closed || context.closed()) return;
      // Everything from here to the last GUILD_CREATE runs in one tick: no dispatch can come between them.
      if (d.compress === true && connection.encoding.name === 'json' && connection.compression === 'none') {
        connection.payloadCompression = true;
      }
      context.register(session, visibleIds(snapshots));
      session.connection = connection;
      connection.session = session;
      // Kept for Resume as one descriptor of what made them, not payloads: until the client's first heartbeat they
      // were most of a session's memory (READY and GUILD_CREATE objects, ≈ 2 KB), for a Resume from seq 0 that rarely
      // comes.
      const payloads = new IdentifyPayloads(session, {
        v: connection.version,
        resumeGatewayUrl: context.resumeUrl(connection),
        withShard: d.shard !== undefined,
        guilds: snapshots,
        largeMembers,
        largePresences,
      });
      connection.burst(() => {
        for (let n = payloads.count; n > 0; n--) session.sendRebuildable(payloads, true);
      });
      context.metrics?.identify('ok');
      context.identified(session);
      if (presence !== undefined) context.setPresence(session, presence);
    } catch (error) {
      context.metrics?.identify('error');
      context.internalError(connection, error);
    } finally {
      connection.authenticating = false;
    }
  }
}

// The arrays of an Identify are built by push loops, not `map`: Array.prototype.map inlined by TurboFan makes a holey
// array where the builtin makes a packed one, so each function in the path that tiered up changed the arrays the next
// one saw and deoptimized it (`--trace-deopt`: Identify's handler ~5 times in 5,000 Identifies, each ~80 ms of
// TurboFan to compile again and ~1,000 Identifies run unoptimized meanwhile). A push loop makes packed arrays in every
// tier.

/** The answers, awaited only when one of them is a promise (a loaded guild's snapshot is a plain value). */
function allOf<T>(values: Awaitable<T>[]): Awaitable<T[]> {
  for (let i = 0; i < values.length; i++) if (isThenable(values[i])) return Promise.all(values);
  return values as T[];
}

/** The guilds among `guildIds` on the session's shard. */
function onShard(guildIds: readonly string[], shard: [number, number]): string[] {
  const out: string[] = [];
  for (let i = 0; i < guildIds.length; i++) {
    const id = guildIds[i]!;
    if (shardOf(id, shard[1]) === shard[0]) out.push(id);
  }
  return out;
}

function lookUpGuilds(directory: Directory, guildIds: readonly string[]): Awaitable<(GuildSnapshot | null)[]> {
  const out: Awaitable<GuildSnapshot | null>[] = [];
  for (let i = 0; i < guildIds.length; i++) out.push(directory.guild(guildIds[i]!));
  return allOf(out);
}

/**
 * A large guild's GUILD_CREATE carries only the session's own member and those in voice: looked up by id, so an
 * Identify costs the same in a guild of 100 members and of 100,000.
 */
function lookUpLargeMembers(
  directory: Directory,
  snapshots: readonly (GuildSnapshot | null)[],
  session: LiveSession,
): Awaitable<(GuildMemberData[] | undefined)[]> {
  const out: Awaitable<GuildMemberData[] | undefined>[] = [];
  for (let i = 0; i < snapshots.length; i++) {
    const g = snapshots[i];
    out.push(g && isLargeFor(g, session) ? directory.members(g.id, largeQuery(g, session.userId)) : undefined);
  }
  return allOf(out);
}

function lookUpLargePresences(
  directory: Directory,
  snapshots: readonly (GuildSnapshot | null)[],
  largeMembers: readonly (GuildMemberData[] | undefined)[],
  wanted: boolean,
): Awaitable<(PresenceData[] | undefined)[]> {
  const out: Awaitable<PresenceData[] | undefined>[] = [];
  for (let i = 0; i < largeMembers.length; i++) {
    const members = largeMembers[i];
    if (!members || !wanted) {
      out.push(undefined);
      continue;
    }
    const ids: string[] = [];
    for (let m = 0; m < members.length; m++) ids.push(members[m]!.user.id);
    out.push(directory.presences(snapshots[i]!.id, ids));
  }
  return allOf(out);
}

/** The ids of the guilds found. */
function visibleIds(snapshots: readonly (GuildSnapshot | null)[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < snapshots.length; i++) {
    const g = snapshots[i];
    if (g) out.push(g.id);
  }
  return out;
}

/** The members a large guild's GUILD_CREATE lists: the session's own first, then those in voice (no limit here). */
function largeQuery(guild: GuildSnapshot, userId: string): MemberQuery {
  // Nobody in voice (the usual case): no Set and no spread copy (~280 bytes of garbage per Identify in a large guild).
  if (!guild.voice_states?.length) return { userIds: [userId], limit: 0 };
  const ids = new Set<string>([userId]);
  for (const state of guild.voice_states ?? []) ids.add(state.user_id);
  return { userIds: [...ids], limit: 0 };
}
