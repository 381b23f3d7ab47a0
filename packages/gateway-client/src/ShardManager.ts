import type { GatewayDispatchPayload } from '@concord/protocol';
import type { GatewayReadyDispatchData } from '@concord/protocol/payloads';
import { EventEmitter } from 'eventemitter3';
import { fetchGatewayBot, type GatewayBotInfo } from './fetchGatewayBot.js';
import { GatewayClientError } from './GatewayClientError.js';
import { GatewayConnection } from './GatewayConnection.js';
import type { GatewayConnectionOptions } from './GatewayConnectionOptions.js';
import type { IdentifyLimits, IdentifyQueue } from './IdentifyQueue.js';
import { InMemoryIdentifyQueue } from './InMemoryIdentifyQueue.js';
import type { CloseInfo, ConnectionStatus, DispatchPayload, SessionInfo } from './types.js';

type Awaitable<T> = T | Promise<T>;

/** Where shard sessions are persisted so a restarted process resumes instead of identifying. */
export interface ShardSessionStore {
  get(shardId: number): Awaitable<SessionInfo | null | undefined>;
  set(shardId: number, info: SessionInfo | null): Awaitable<void>;
}

export interface ShardManagerOptions
  extends Omit<GatewayConnectionOptions, 'shard' | 'session' | 'identifyGate' | 'url'> {
  /** Gateway URL; fetched from `GET <rest>/gateway/bot` when absent. */
  url?: string;
  /** Total shard count, or 'auto' (default) for `shards` from `/gateway/bot` (1 without `rest`). */
  shardCount?: number | 'auto';
  /**
   * Which shards this process runs: a list, or an inclusive range `{ first, last }` (a fleet gives each process its
   * own range of the same `shardCount`). Default all.
   */
  shardIds?: readonly number[] | ShardRange;
  /** Identify buckets; default `session_start_limit.max_concurrency` from `/gateway/bot`, else 1. */
  maxConcurrency?: number;
  /** One Identify per bucket per this many ms (default 5000). */
  identifyIntervalMs?: number;
  /**
   * Awaited before each Identify. Default: an in-process `InMemoryIdentifyQueue(maxConcurrency, identifyIntervalMs)`.
   * A fleet shares one (`createRedisIdentifyQueue` from `@concord/gateway-client/redis`); a function gets the resolved
   * limits first, for when `max_concurrency` comes from `/gateway/bot`.
   */
  identifyQueue?: IdentifyQueue | ((limits: IdentifyLimits) => IdentifyQueue);
  sessionStore?: ShardSessionStore;
  /**
   * Also write each ready shard's session to `sessionStore` this often (ms) when its sequence moved, so a crashed
   * process replays less on resume. Default 10000; 0 = only on READY, RESUMED and destroy.
   */
  sessionPersistIntervalMs?: number;
}

/** Shards `first..last` (both included). */
export interface ShardRange {
  first: number;
  last: number;
}

export interface ShardStatus {
  shardId: number;
  status: ConnectionStatus;
  latency: number;
  session: SessionInfo | null;
}

/** Each dispatch by name, as the connection emits it but with the shard id in place of the envelope. */
type ShardDispatchEvents = {
  [P in GatewayDispatchPayload as `${P['t']}`]: [data: P['d'], shardId: number];
};

export interface ShardManagerEvents extends ShardDispatchEvents {
  dispatch: [payload: DispatchPayload, shardId: number];
  ready: [data: GatewayReadyDispatchData, shardId: number];
  resumed: [shardId: number];
  closed: [info: CloseInfo, shardId: number];
  error: [error: Error, shardId: number];
  debug: [message: string, shardId: number];
  status: [status: ConnectionStatus, shardId: number];
  /** Every shard is ready (after `connect()`). */
  allReady: [];
}

/**
 * Runs several shards: shard count from options or `/gateway/bot`, identifies spaced by `max_concurrency` buckets,
 * per-shard status, sessions persisted through `sessionStore` (resume after a restart).
 */
export class ShardManager extends EventEmitter<ShardManagerEvents> {
  readonly shards = new Map<number, GatewayConnection>();
  #options: ShardManagerOptions;
  #identifyQueue: IdentifyQueue | null = null;
  /** Aborted by `destroy()`: shards still waiting for their identify turn give it up. */
  #stopping = new AbortController();
  #shardCount = 0;
  #persistTimer: ReturnType<typeof setInterval> | undefined;
  #persisted = new Map<number, number>();

  constructor(options: ShardManagerOptions) {
    super();
    this.#options = { ...options };
  }

  get shardCount(): number {
    return this.#shardCount;
  }

  /** The queue identifies wait in (set by `connect()`). */
  get identifyQueue(): IdentifyQueue | null {
    return this.#identifyQueue;
  }

  /** Resolves once every shard of this process is ready (READY or RESUMED). */
  async connect(): Promise<void> {
    const o = this.#options;
    let info: GatewayBotInfo | null = null;
    const needsInfo = o.url === undefined || o.shardCount === undefined || o.shardCount === 'auto';
    if (needsInfo && o.rest !== undefined) {
      info = await fetchGatewayBot({ rest: o.rest, token: o.token, ...(o.fetch ? { fetch: o.fetch } : {}) });
    }
    const url = o.url ?? info?.url;
    if (url === undefined) throw new GatewayClientError('INVALID_OPTIONS', 'either url or rest is required');
    this.#shardCount = typeof o.shardCount === 'number' ? o.shardCount : (info?.shards ?? 1);
    if (!Number.isInteger(this.#shardCount) || this.#shardCount < 1) {
      throw new GatewayClientError('INVALID_OPTIONS', 'shardCount must be a positive integer');
    }
    const ids = resolveShardIds(o.shardIds, this.#shardCount);
    const fresh = await this.#countFresh(ids);
    if (info && info.session_start_limit.remaining < fresh) {
      throw new GatewayClientError(
        'SESSION_START_LIMIT',
        `session_start_limit.remaining is ${info.session_start_limit.remaining}, ${fresh} shards need a new session (resets in ${info.session_start_limit.reset_after} ms)`,
      );
    }
    const maxConcurrency = o.maxConcurrency ?? info?.session_start_limit.max_concurrency ?? 1;
    const limits = { maxConcurrency, intervalMs: o.identifyIntervalMs ?? 5000 };
    const queue =
      typeof o.identifyQueue === 'function'
        ? o.identifyQueue(limits)
        : (o.identifyQueue ?? new InMemoryIdentifyQueue(limits.maxConcurrency, limits.intervalMs));
    this.#identifyQueue = queue;
    this.#stopping = new AbortController();
    const stopping = this.#stopping.signal;
    const {
      shardCount: _count,
      shardIds: _ids,
      maxConcurrency: _mc,
      identifyIntervalMs: _ii,
      identifyQueue: _iq,
      sessionPersistIntervalMs,
      sessionStore,
      ...rest
    } = o;
    await Promise.all(
      ids.map(async (shardId) => {
        const session = (await sessionStore?.get(shardId)) ?? null;
        const shard = new GatewayConnection({
          ...rest,
          url,
          shard: [shardId, this.#shardCount],
          session,
          identifyGate: async (id) => {
            try {
              await queue.wait(id, stopping);
            } catch (error) {
              // Given up by destroy(): the connection sees its socket gone and stops by itself, no error to report.
              if (!stopping.aborted) throw error;
            }
          },
        });
        this.#wire(shard, shardId);
        this.shards.set(shardId, shard);
      }),
    );
    const interval = sessionPersistIntervalMs ?? 10_000;
    if (sessionStore && interval > 0) {
      this.#persistTimer = setInterval(() => this.#persist(), interval);
      // A timer of its own must not keep a process alive (the sockets do while shards run).
      (this.#persistTimer as { unref?: () => void }).unref?.();
    }
    await Promise.all([...this.shards.values()].map((shard) => shard.connect()));
    this.emit('allReady');
  }

  /** Status of every shard of this process. */
  statuses(): ShardStatus[] {
    return [...this.shards].map(([shardId, shard]) => ({
      shardId,
      status: shard.status,
      latency: shard.latency,
      session: shard.session,
    }));
  }

  /** Which shard carries a guild: `(guild_id >> 22) % shard_count` (string math, no BigInt needed by callers). */
  shardOf(guildId: string): number {
    return Number((BigInt(guildId) >> 22n) % BigInt(this.#shardCount || 1));
  }

  /**
   * Closes every shard. `keepSessions: true` closes with 4000 and stores each session (with its last seq) in
   * `sessionStore`, so the next process resumes; otherwise sessions end and the store is cleared.
   */
  async destroy(options: { keepSessions?: boolean } = {}): Promise<void> {
    clearInterval(this.#persistTimer);
    this.#persistTimer = undefined;
    this.#stopping.abort();
    const writes: Awaitable<void>[] = [];
    for (const [shardId, shard] of this.shards) {
      shard.destroy({ keepSession: options.keepSessions ?? false });
      if (this.#options.sessionStore) {
        writes.push(this.#options.sessionStore.set(shardId, options.keepSessions ? shard.session : null));
      }
    }
    await Promise.all(writes);
    this.shards.clear();
  }

  async #countFresh(ids: number[]): Promise<number> {
    const store = this.#options.sessionStore;
    if (!store) return ids.length;
    let fresh = 0;
    for (const id of ids) if (!(await store.get(id))) fresh++;
    return fresh;
  }

  #persist(): void {
    const store = this.#options.sessionStore;
    if (!store) return;
    for (const [shardId, shard] of this.shards) {
      const session = shard.session;
      if (shard.status !== 'ready' || session === null) continue;
      if (this.#persisted.get(shardId) === session.sequence) continue;
      this.#persisted.set(shardId, session.sequence);
      Promise.resolve(store.set(shardId, session)).catch((error: Error) => this.emit('error', error, shardId));
    }
  }

  #wire(shard: GatewayConnection, shardId: number): void {
    const store = this.#options.sessionStore;
    shard.on('dispatch', (payload) => {
      this.emit('dispatch', payload, shardId);
      (this.emit as (event: string, ...args: unknown[]) => boolean)(payload.t, payload.d, shardId);
    });
    shard.on('ready', (data) => this.emit('ready', data, shardId));
    shard.on('resumed', () => this.emit('resumed', shardId));
    shard.on('closed', (info) => this.emit('closed', info, shardId));
    shard.on('error', (error) => this.emit('error', error, shardId));
    shard.on('debug', (message) => this.emit('debug', message, shardId));
    shard.on('status', (status) => this.emit('status', status, shardId));
    if (store) {
      shard.on('session', (info) => {
        if (info) this.#persisted.set(shardId, info.sequence);
        Promise.resolve(store.set(shardId, info)).catch((error: Error) => this.emit('error', error, shardId));
      });
    }
  }
}

function resolveShardIds(option: readonly number[] | ShardRange | undefined, count: number): number[] {
  let ids: number[];
  if (option === undefined) ids = Array.from({ length: count }, (_, i) => i);
  else if (Array.isArray(option)) ids = [...option];
  else {
    const { first, last } = option as ShardRange;
    if (!Number.isInteger(first) || !Number.isInteger(last) || first > last) {
      throw new GatewayClientError('INVALID_OPTIONS', 'shardIds range needs integers first <= last');
    }
    ids = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  }
  if (ids.some((id) => !Number.isInteger(id) || id < 0 || id >= count)) {
    throw new GatewayClientError('INVALID_OPTIONS', `shardIds must be in 0..${count - 1}`);
  }
  if (new Set(ids).size !== ids.length) throw new GatewayClientError('INVALID_OPTIONS', 'shardIds has duplicates');
  return ids;
}
