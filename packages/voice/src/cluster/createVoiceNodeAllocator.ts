import { EventEmitter } from 'eventemitter3';
import type {
  VoiceAllocation,
  VoiceAllocationRequest,
  VoiceGatewayContract,
  VoiceReleaseRequest,
  VoiceStateNotice,
} from '../server/VoiceGatewayContract.js';
import {
  type HealthThresholds,
  INITIAL_HEALTH,
  type NodeHealth,
  nextHealth,
  type VoiceNodeHealthState,
} from './nodeHealth.js';
import { placeChannel } from './placeChannel.js';
import { probeVoiceNode } from './probeVoiceNode.js';
import { createInMemoryAssignmentStore, type VoiceAssignmentStore } from './VoiceAssignmentStore.js';
import { VoiceClusterError } from './VoiceClusterError.js';
import type { VoiceNodeStatus } from './VoiceNodeStatus.js';
import { type NoticePoster, VoiceStateForwarder } from './VoiceStateForwarder.js';
import { signVoiceToken } from './voiceToken.js';

type Awaitable<T> = T | PromiseLike<T>;

/** A user joining a voice channel (op 4 with a channel): the contract's request. */
export type VoiceNodeAllocationRequest = VoiceAllocationRequest;

/** `{token, endpoint}` for VOICE_SERVER_UPDATE; `endpoint` null when no voice node is up. */
export type VoiceNodeAllocation = VoiceAllocation;

/** A voice node to watch: its health URL, and optionally a region or weight that override what it reports. */
export interface VoiceNodeTarget {
  url: string;
  region?: string | null;
  /** Relative share of the channels (default 1). */
  weight?: number;
}

/** A channel moved off a node that died (or restarted): its members need a new VOICE_SERVER_UPDATE. */
export interface VoiceChannelMove {
  guildId: string;
  channelId: string;
  /** Node id the channel was on (null: it was waiting for any node to come up). */
  from: string | null;
  /** Node id it is on now (null: no node is up; the endpoint for its members is null until one is). */
  to: string | null;
  endpoint: string | null;
  /** `reassigned`: another allocator sharing the store moved it. */
  reason: 'node-down' | 'node-restarted' | 'node-removed' | 'node-draining' | 'node-up' | 'reassigned';
  /** The members the allocator knows of (allocated and not released). */
  members: { userId: string; sessionId: string }[];
}

export interface VoiceNodeInfo {
  url: string;
  /** Reported id (null until the node first answered). */
  id: string | null;
  region: string | null;
  state: VoiceNodeHealthState;
  misses: number;
  /** Busiest load ratio, as placement sees it (0..1+). */
  load: number;
  /** Channels this allocator placed on the node. */
  assigned: number;
  status: VoiceNodeStatus | null;
}

export interface VoiceNodeAllocatorEvents {
  move: [move: VoiceChannelMove];
  nodeUp: [node: VoiceNodeInfo];
  nodeDown: [node: VoiceNodeInfo];
  error: [error: Error];
}

export interface VoiceNodeAllocatorOptions {
  /** Health URLs (`http://host:port/health` of `createVoiceNode`) or targets. */
  nodes?: readonly (string | VoiceNodeTarget)[];
  /** Called every health interval for the current node list (replaces `nodes`); nodes that vanish are treated as down. */
  discovery?: () => Awaitable<readonly (string | VoiceNodeTarget)[]>;
  /** Secret shared with the voice nodes (tokens are HMAC-signed with it). */
  secret: string | Uint8Array;
  /** Probe period per node, ms (default 2000). */
  healthCheckIntervalMs?: number;
  /** Probe deadline, ms (default min(1000, interval)). */
  healthTimeoutMs?: number;
  /** After a miss, the next probe comes this soon, ms (default interval / 4): death is confirmed fast, not in N periods. */
  retryAfterMissMs?: number;
  /** Consecutive misses before a node is down and its channels move (default 3). */
  unhealthyAfter?: number;
  /** Consecutive answers before a down node takes channels again (default 2). */
  healthyAfter?: number;
  /** Validity of the tokens, ms (default 10 minutes). */
  tokenTtlMs?: number;
  /** Placement tuning: see `placeChannel` (defaults 2, 0.85, 0.1). */
  topK?: number;
  overloadAt?: number;
  loadTolerance?: number;
  /** What a node holds at load 1 (defaults: 500 channels, 2000 sessions, 100000 packets/s). */
  capacity?: { channels?: number; sessions?: number; packetsPerSecond?: number };
  /** Region hint for a request (e.g. the channel's `rtc_region`); null/undefined = no preference. */
  regionOf?: (request: VoiceNodeAllocationRequest) => Awaitable<string | null | undefined>;
  /**
   * Where channel placements live (default: in this process). With several gateway nodes, give them all one shared
   * store (`createRedisAssignmentStore`), or members of one call connected to different gateway nodes may be sent to
   * different voice nodes.
   */
  store?: VoiceAssignmentStore;
  /**
   * Lifetime of a placement in the store without a join, ms (default 1 hour). Allocators refresh the placements of
   * the channels they have members in every third of it, so a long call keeps its entry.
   */
  assignmentTtlMs?: number;
  /** Replaces the HTTP probe (tests, other transports). */
  probe?: (url: string, timeoutMs: number) => Promise<VoiceNodeStatus>;
  /** Replaces the HTTP POST of voice state notices to the nodes (tests, other transports). */
  postNotice?: NoticePoster;
}

interface NodeEntry {
  url: string;
  target: VoiceNodeTarget;
  status: VoiceNodeStatus | null;
  health: NodeHealth;
  timer: NodeJS.Timeout | null;
}

interface ChannelEntry {
  guildId: string;
  channelId: string;
  /** URL of the node it is on; null while no node is up. */
  node: string | null;
  region: string | null;
  members: Map<string, string>;
}

/** The gateway ↔ voice contract (see `VoiceGatewayContract`) over a fleet of health-checked voice nodes. */
export interface VoiceNodeAllocator extends EventEmitter<VoiceNodeAllocatorEvents>, VoiceGatewayContract {
  allocate(request: VoiceNodeAllocationRequest): Promise<VoiceNodeAllocation>;
  release(request: VoiceReleaseRequest): void;
  /**
   * The gateway's voice state of a user: sent (signed) to the node holding the user's channel, now or once the channel
   * is placed, and to its new node after a move, so that server mute, deafen and `suppress` are enforced there.
   */
  voiceStateChanged(state: VoiceStateNotice): void;
  /** Subscribes to moves (what the gateway server hooks into); returns the unsubscribe function. */
  onMove(listener: (move: VoiceChannelMove) => void): () => void;
  /** Resolves once every node answered or missed its first probe. */
  ready(): Promise<void>;
  /** Probes every node now and applies the results. */
  checkNow(): Promise<void>;
  /** Id of the node a channel is on, or null. */
  nodeOf(guildId: string, channelId: string): string | null;
  nodes(): VoiceNodeInfo[];
  close(): void;
}

const toTarget = (node: string | VoiceNodeTarget): VoiceNodeTarget => (typeof node === 'string' ? { url: node } : node);
const channelKey = (guildId: string, channelId: string) => `${guildId}:${channelId}`;

/**
 * Places voice channels on voice nodes: rendezvous hashing bent by load and region (see `placeChannel`), sticky (a
 * channel stays on its node while the node is not down, so every member of a call lands on the same SFU), with health
 * probes; when a node goes down its channels are placed again and a `move` is emitted for each.
 */
export function createVoiceNodeAllocator(options: VoiceNodeAllocatorOptions): VoiceNodeAllocator {
  if (!options.secret || options.secret.length === 0) {
    throw new VoiceClusterError('INVALID_OPTION', 'secret must not be empty');
  }
  if (!options.nodes && !options.discovery) {
    throw new VoiceClusterError('INVALID_OPTION', 'give nodes or discovery');
  }
  const interval = Math.max(10, options.healthCheckIntervalMs ?? 2000);
  const timeout = Math.max(5, options.healthTimeoutMs ?? Math.min(1000, interval));
  const retry = Math.max(5, options.retryAfterMissMs ?? Math.floor(interval / 4));
  const thresholds: HealthThresholds = {
    unhealthyAfter: Math.max(1, options.unhealthyAfter ?? 3),
    healthyAfter: Math.max(1, options.healthyAfter ?? 2),
  };
  const ttl = options.tokenTtlMs ?? 600_000;
  const capacity = { channels: 500, sessions: 2000, packetsPerSecond: 100_000, ...options.capacity };
  const probe = options.probe ?? probeVoiceNode;
  const assignmentTtl = Math.max(1000, options.assignmentTtlMs ?? 3_600_000);
  const store = options.store ?? createInMemoryAssignmentStore({ ttlMs: assignmentTtl });

  const emitter = new EventEmitter<VoiceNodeAllocatorEvents>() as VoiceNodeAllocator;
  const notices = new VoiceStateForwarder({
    secret: options.secret,
    timeoutMs: timeout,
    retryMs: retry,
    ...(options.postNotice ? { post: options.postNotice } : {}),
    onError: (error) => emitter.emit('error', error),
  });
  const nodes = new Map<string, NodeEntry>();
  const channels = new Map<string, ChannelEntry>();
  const userChannel = new Map<string, string>();
  let closed = false;
  let discoveryTimer: NodeJS.Timeout | null = null;

  // Per node URL: channels placed there and their members (kept up to date by `assign` / `addMember` / `removeMember`).
  const counts = new Map<string, { channels: number; members: number }>();
  const count = (url: string | null, channels: number, members: number): void => {
    if (url === null) return;
    const c = counts.get(url) ?? { channels: 0, members: 0 };
    c.channels += channels;
    c.members += members;
    if (c.channels <= 0 && c.members <= 0) counts.delete(url);
    else counts.set(url, c);
  };
  const assign = (channel: ChannelEntry, url: string | null): void => {
    if (channel.node === url) return;
    count(channel.node, -1, -channel.members.size);
    channel.node = url;
    count(url, 1, channel.members.size);
  };
  const assignedTo = (url: string): number => counts.get(url)?.channels ?? 0;
  const membersOn = (url: string): number => counts.get(url)?.members ?? 0;
  const loadOf = (entry: NodeEntry): number => {
    const s = entry.status;
    if (!s) return 1;
    // The node's report lags by up to one probe: what we placed since counts too, so a burst of joins spreads out.
    return Math.max(
      Math.max(s.channels, assignedTo(entry.url)) / capacity.channels,
      Math.max(s.sessions, membersOn(entry.url)) / capacity.sessions,
      s.packetsPerSecond / capacity.packetsPerSecond,
    );
  };
  const regionOfNode = (entry: NodeEntry): string | null =>
    entry.target.region !== undefined ? entry.target.region : (entry.status?.region ?? null);
  const info = (entry: NodeEntry): VoiceNodeInfo => ({
    url: entry.url,
    id: entry.status?.id ?? null,
    region: regionOfNode(entry),
    state: entry.health.state,
    misses: entry.health.misses,
    load: loadOf(entry),
    assigned: assignedTo(entry.url),
    status: entry.status,
  });
  const usable = (entry: NodeEntry | undefined): entry is NodeEntry & { status: VoiceNodeStatus } =>
    !!entry && entry.health.state === 'up' && entry.status !== null;

  const place = (key: string, region: string | null, exclude?: string): NodeEntry | null => {
    const pool = [...nodes.values()].filter((n) => usable(n) && !n.status!.draining && n.url !== exclude);
    const chosen = placeChannel(
      key,
      pool.map((n) => ({
        id: n.status!.id,
        region: regionOfNode(n),
        load: loadOf(n),
        weight: n.target.weight ?? 1,
        n,
      })),
      {
        region,
        ...(options.topK !== undefined ? { topK: options.topK } : {}),
        ...(options.overloadAt !== undefined ? { overloadAt: options.overloadAt } : {}),
        ...(options.loadTolerance !== undefined ? { loadTolerance: options.loadTolerance } : {}),
      },
    );
    return chosen?.n ?? null;
  };

  const members = (channel: ChannelEntry) => [...channel.members].map(([userId, sessionId]) => ({ userId, sessionId }));

  const byId = (id: string | null): NodeEntry | undefined => {
    if (id === null) return undefined;
    for (const entry of nodes.values()) if (entry.status?.id === id) return entry;
    return undefined;
  };
  const alive = (entry: NodeEntry | undefined): entry is NodeEntry & { status: VoiceNodeStatus } =>
    !!entry && entry.health.state !== 'down' && entry.status !== null;

  /**
   * Where a channel is, asking the shared store first: its node if that one is not down, else our pick, written with
   * compare-and-set (another allocator may have placed or moved it meanwhile: then its choice wins).
   */
  const resolve = async (key: string, channel: ChannelEntry, exclude?: string): Promise<NodeEntry | null> => {
    let stored = await store.get(key);
    // The entry expired while the call went on: what this allocator knows is still the truth, say it again.
    const known = channel.node !== null ? nodes.get(channel.node) : undefined;
    if (stored === null && alive(known) && known.url !== exclude) stored = await store.claim(key, known.status.id);
    const current = byId(stored);
    if (alive(current) && current.url !== exclude) return current;
    const pick = place(key, channel.region, exclude);
    // Excluded but alive (draining) and nowhere else to go: it stays, and so does its store entry.
    if (pick === null && alive(current)) return current;
    let winner: string | null;
    if (stored === null) winner = pick ? await store.claim(key, pick.status!.id) : null;
    else winner = await store.move(key, stored, pick?.status?.id ?? null);
    const chosen = byId(winner);
    return alive(chosen) ? chosen : pick;
  };

  /** Places again every channel on `url` (or every waiting one when `url` is null) and emits the moves. */
  const evacuate = async (url: string | null, reason: VoiceChannelMove['reason'], fromId: string | null) => {
    const moving = [...channels].filter(([, channel]) => channel.node === url);
    const moves = await Promise.all(
      moving.map(async ([key, channel]): Promise<VoiceChannelMove | null> => {
        let next: NodeEntry | null;
        try {
          // A restarted node may take its channels back (they hash there); a dead or removed one may not.
          next = await resolve(key, channel, reason === 'node-restarted' || url === null ? undefined : url);
          // Nowhere else to go: a draining node keeps its calls rather than cut them.
          if (reason === 'node-draining' && (next === null || next.url === url)) return null;
        } catch (error) {
          emitter.emit('error', error as Error);
          next = place(key, channel.region, url ?? undefined);
        }
        if (channels.get(key) !== channel) return null;
        assign(channel, next?.url ?? null);
        if (url === null && next === null) return null;
        return {
          guildId: channel.guildId,
          channelId: channel.channelId,
          from: fromId,
          to: next?.status?.id ?? null,
          endpoint: next?.status?.endpoint ?? null,
          reason,
          members: members(channel),
        };
      }),
    );
    for (const move of moves) if (move) emitter.emit('move', move);
  };

  const apply = async (entry: NodeEntry, result: VoiceNodeStatus | Error): Promise<void> => {
    if (closed || nodes.get(entry.url) !== entry) return;
    const before = entry.health.state;
    const previous = entry.status;
    entry.health = nextHealth(entry.health, !(result instanceof Error), thresholds);
    if (!(result instanceof Error)) {
      entry.status = result;
      // Same URL, new process (or another node): every call the old one carried is gone.
      if (previous && (previous.instance !== result.instance || previous.id !== result.id) && before !== 'down') {
        await evacuate(entry.url, 'node-restarted', previous.id);
      } else if (result.draining && previous && !previous.draining && before === 'up') {
        // Being emptied for a restart: its calls move now, while it still carries them (no outage beyond a rejoin).
        await evacuate(entry.url, 'node-draining', result.id);
      }
    }
    const after = entry.health.state;
    if (after === before) return;
    if (after === 'down') {
      emitter.emit('nodeDown', info(entry));
      await evacuate(entry.url, 'node-down', entry.status?.id ?? null);
    } else if (after === 'up') {
      emitter.emit('nodeUp', info(entry));
      await evacuate(null, 'node-up', null);
    }
  };

  const probeOnce = async (entry: NodeEntry): Promise<void> => {
    let result: VoiceNodeStatus | Error;
    try {
      result = await probe(entry.url, timeout);
    } catch (error) {
      result = error instanceof Error ? error : new VoiceClusterError('PROBE_FAILED', String(error));
    }
    await apply(entry, result);
  };

  const schedule = (entry: NodeEntry, delay: number): void => {
    if (closed) return;
    entry.timer = setTimeout(async () => {
      entry.timer = null;
      if (nodes.get(entry.url) !== entry) return;
      await probeOnce(entry);
      const failing = entry.health.misses > 0 && entry.health.state !== 'down';
      if (nodes.get(entry.url) === entry) schedule(entry, failing ? retry : interval);
    }, delay);
    entry.timer.unref();
  };

  const setNodes = (list: readonly (string | VoiceNodeTarget)[]): Promise<void>[] => {
    const wanted = new Map(list.map((n) => [toTarget(n).url, toTarget(n)]));
    const first: Promise<void>[] = [];
    for (const [url, entry] of nodes) {
      if (wanted.has(url)) {
        entry.target = wanted.get(url)!;
        continue;
      }
      nodes.delete(url);
      if (entry.timer) clearTimeout(entry.timer);
      if (entry.health.state !== 'down') first.push(evacuate(url, 'node-removed', entry.status?.id ?? null));
    }
    for (const [url, target] of wanted) {
      if (nodes.has(url)) continue;
      const entry: NodeEntry = { url, target, status: null, health: INITIAL_HEALTH, timer: null };
      nodes.set(url, entry);
      first.push(probeOnce(entry).then(() => schedule(entry, entry.health.misses > 0 ? retry : interval)));
    }
    return first;
  };

  const refresh = async (): Promise<void> => {
    try {
      const list = await options.discovery!();
      if (!closed) await Promise.all(setNodes(list));
    } catch (error) {
      emitter.emit('error', error as Error);
    }
  };

  const reassigned = (channel: ChannelEntry, before: string, next: NodeEntry): void => {
    emitter.emit('move', {
      guildId: channel.guildId,
      channelId: channel.channelId,
      from: nodes.get(before)?.status?.id ?? null,
      to: next.status?.id ?? null,
      endpoint: next.status?.endpoint ?? null,
      reason: 'reassigned',
      members: members(channel),
    });
  };

  // Keeps the store entries of live calls from expiring (one store read per channel with members, every ttl / 3).
  const refreshTimer = setInterval(() => {
    for (const [key, channel] of channels) {
      if (channel.node === null) continue;
      const before = channel.node;
      resolve(key, channel).then(
        (next) => {
          // Another allocator moved it (it saw the node die first): our members must follow too.
          if (!next || next.url === before || channels.get(key) !== channel || channel.node !== before) return;
          assign(channel, next.url);
          reassigned(channel, before, next);
        },
        (error) => emitter.emit('error', error as Error),
      );
    }
  }, assignmentTtl / 3);
  refreshTimer.unref();

  let readyPromise: Promise<void>;
  if (options.discovery) {
    readyPromise = refresh();
    discoveryTimer = setInterval(() => void refresh(), interval);
    discoveryTimer.unref();
  } else {
    readyPromise = Promise.all(setNodes(options.nodes ?? [])).then(() => undefined);
  }

  const removeMember = (key: string, userId: string): void => {
    const channel = channels.get(key);
    if (!channel) return;
    if (!channel.members.delete(userId)) return;
    count(channel.node, 0, -1);
    if (channel.members.size === 0) {
      assign(channel, null);
      channels.delete(key);
    }
  };

  emitter.allocate = async (request) => {
    let hint: string | null = null;
    try {
      hint = options.regionOf ? ((await options.regionOf(request)) ?? null) : null;
    } catch (error) {
      // A hint is a preference: without it the channel still gets a node.
      emitter.emit('error', error as Error);
    }
    const key = channelKey(request.guildId, request.channelId);
    const userKey = `${request.guildId}:${request.userId}`;
    const previous = userChannel.get(userKey);
    if (previous !== undefined && previous !== key) removeMember(previous, request.userId);
    let channel = channels.get(key);
    if (!channel) {
      channel = {
        guildId: request.guildId,
        channelId: request.channelId,
        node: null,
        region: hint,
        members: new Map(),
      };
      channels.set(key, channel);
    }
    if (!channel.members.has(request.userId)) count(channel.node, 0, 1);
    channel.members.set(request.userId, request.sessionId);
    userChannel.set(userKey, key);
    // Sticky while the node is not down: a suspect node (a miss or two) keeps its calls.
    let node: NodeEntry | null;
    try {
      node = await resolve(key, channel);
    } catch (error) {
      // The shared store is unreachable: fall back on what this allocator knows rather than refuse voice.
      emitter.emit('error', error as Error);
      const known = channel.node !== null ? nodes.get(channel.node) : undefined;
      node = alive(known) ? known : place(key, channel.region);
    }
    if (channels.get(key) === channel) {
      const before = channel.node;
      assign(channel, node?.url ?? null);
      // The store says another node (an allocator on another gateway moved the call) although ours looks fine: the
      // members already in it here must follow too, not only the one joining. (When ours is down, the evacuation
      // under way announces the move.)
      const old = before !== null ? nodes.get(before) : undefined;
      if (before !== null && node && node.url !== before && channel.members.size > 1 && alive(old)) {
        reassigned(channel, before, node);
      }
    }
    const status = node?.status;
    if (!status) return { token: '', endpoint: null };
    notices.placed(request.guildId, request.userId, request.channelId, node!.url);
    const token = signVoiceToken(options.secret, {
      guildId: request.guildId,
      channelId: request.channelId,
      userId: request.userId,
      sessionId: request.sessionId,
      nodeId: status.id,
      expiresAt: Date.now() + ttl,
    });
    return { token, endpoint: status.endpoint };
  };

  emitter.release = (request) => {
    const userKey = `${request.guildId}:${request.userId}`;
    const key = userChannel.get(userKey);
    if (key === undefined) return;
    const channel = channels.get(key);
    // A late release of an older session must not remove the user's newer one.
    if (channel && channel.members.get(request.userId) !== request.sessionId) return;
    userChannel.delete(userKey);
    removeMember(key, request.userId);
  };

  emitter.voiceStateChanged = (state) => {
    const channel = state.channelId === null ? undefined : channels.get(channelKey(state.guildId, state.channelId));
    notices.changed(state, channel?.node ?? null);
  };

  emitter.onMove = (listener) => {
    emitter.on('move', listener);
    return () => {
      emitter.off('move', listener);
    };
  };
  emitter.ready = () => readyPromise;
  emitter.checkNow = async () => {
    await Promise.all([...nodes.values()].map((entry) => probeOnce(entry)));
  };
  emitter.nodeOf = (guildId, channelId) => {
    const url = channels.get(channelKey(guildId, channelId))?.node;
    return url ? (nodes.get(url)?.status?.id ?? null) : null;
  };
  emitter.nodes = () => [...nodes.values()].map(info);
  emitter.close = () => {
    closed = true;
    if (discoveryTimer) clearInterval(discoveryTimer);
    clearInterval(refreshTimer);
    notices.close();
    for (const entry of nodes.values()) if (entry.timer) clearTimeout(entry.timer);
    emitter.removeAllListeners();
  };
  return emitter;
}
