import type { EncodingName, GatewayDispatchPayload, GatewayReadyDispatchData } from '@concord/protocol';
import type { BackoffOptions } from './backoff.js';
import type { SendQueueOptions } from './SendQueue.js';

/** The minimal WebSocket surface used: the WHATWG API, which browsers, `ws` and isomorphic-ws all provide. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the TCP connection without a closing handshake. */
  terminate?(): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `zlib-stream` / `zstd-stream`: transport compression; `payload`: `compress: true` in Identify (JSON only). */
export type CompressionOption = 'zlib-stream' | 'zstd-stream' | 'payload' | null;

export type ConnectionStatus =
  | 'idle'
  | 'connecting'
  | 'identifying'
  | 'resuming'
  | 'ready'
  | 'reconnecting'
  | 'closed'
  | 'destroyed';

/** What a resume needs; persist it (ShardManager `sessionStore`) to resume after a process restart. */
export interface SessionInfo {
  sessionId: string;
  /** Last dispatch sequence number received. */
  sequence: number;
  resumeUrl: string;
}

/** The dispatch envelope as emitted by the `dispatch` event. */
export interface DispatchPayload<D = unknown> {
  op: 0;
  t: string;
  s: number;
  d: D;
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** true when this client closed the connection (zombie, op 7, op 9, decode error, destroy). */
  byClient: boolean;
  /** What happens next. */
  next: 'resume' | 'identify' | 'none';
}

export interface GuildMembersResult<M = unknown, P = unknown> {
  guildId: string;
  nonce: string;
  members: M[];
  notFound: string[];
  presences: P[];
  chunkCount: number;
}

/** op 3 / Identify `presence` (discord-api-types' enum values work too). */
export interface PresenceData {
  since: number | null;
  activities: { name: string; type: number; [key: string]: unknown }[];
  status: 'online' | 'dnd' | 'idle' | 'invisible' | 'offline';
  afk: boolean;
}

export interface GatewayConnectionOptions {
  token: string;
  intents: number;
  /** Gateway URL (query string optional; `v`, `encoding`, `compress` are set by the client). */
  url?: string;
  /** REST base with version (`http://host/api/v10`): `GET /gateway/bot` gives the URL when `url` is absent. */
  rest?: string;
  fetch?: typeof fetch;
  /** Default json. */
  encoding?: EncodingName;
  /** Default `zlib-stream`. */
  compression?: CompressionOption;
  /** `[shard_id, shard_count]`. */
  shard?: [number, number];
  presence?: PresenceData;
  /** 50..250. */
  largeThreshold?: number;
  properties?: { os: string; browser: string; device: string };
  /** A session to resume on the first connection (e.g. from a store, after a restart). */
  session?: SessionInfo | null;
  backoff?: BackoffOptions;
  /** Wait before identifying again after op 9 `d:false`, ms (default 1000..5000, uniformly). */
  invalidSessionDelay?: { min: number; max: number };
  /** Drop and retry a connection that sent no Hello within this many ms (default 20000). */
  helloTimeout?: number;
  /** Client command rate limit (default 120 / 60 s with 5 slots reserved for heartbeats, Identify, Resume). */
  rateLimit?: SendQueueOptions;
  /** Awaited before every Identify: ShardManager's max_concurrency buckets plug in here. */
  identifyGate?: (shardId: number) => Promise<void>;
  /** WebSocket implementation (default: isomorphic-ws, i.e. `ws` in Node, the global one in browsers). */
  WebSocket?: WebSocketConstructor;
  /** Decompression-bomb guard: most bytes one payload may inflate to (default 32 MiB). */
  maxPayloadBytes?: number;
  /** Default `requestGuildMembers` timeout, ms (default 10000). */
  requestTimeout?: number;
  /** Source of randomness (first-heartbeat jitter, backoff jitter, op 9 delay); tests pin it. */
  random?: () => number;
}

type KnownDispatchEvents = {
  [P in GatewayDispatchPayload as `${P['t']}`]: [data: P['d'], payload: DispatchPayload<P['d']>];
};

export interface GatewayConnectionEvents extends KnownDispatchEvents {
  /** Every dispatch, in sequence order, exactly once across resumes. */
  dispatch: [payload: DispatchPayload];
  ready: [data: GatewayReadyDispatchData];
  resumed: [];
  /** A socket closed; `next` says whether the client resumes, identifies again or stops. */
  closed: [info: CloseInfo];
  /** Non-fatal problems (bad frames) and the fatal `GatewayCloseError`. Never thrown. */
  error: [error: Error];
  debug: [message: string];
  status: [status: ConnectionStatus];
  /** The resumable session changed (READY, RESUMED, close); null once it is gone. */
  session: [info: SessionInfo | null];
  /** Heartbeat round trip in ms. */
  heartbeat: [latency: number];
}
