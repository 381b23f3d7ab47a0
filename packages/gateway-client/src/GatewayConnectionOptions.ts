import type { EncodingName } from '@concord/protocol';
import type { BackoffOptions } from './backoff.js';
import type { SendQueueOptions } from './SendQueue.js';
import type { CompressionOption, PresenceData, SessionInfo, WebSocketConstructor } from './types.js';

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

/**
 * The defaults of the options above that have a plain value (the others: `backoff` → `BackoffOptions`, `rateLimit` →
 * `SendQueueOptions`, `maxPayloadBytes` → the inflater's 32 MiB, `WebSocket` → isomorphic-ws, `random` → Math.random).
 * `compression: null` is no default: it turns compression off.
 */
export const defaultGatewayConnectionOptions = {
  encoding: 'json',
  compression: 'zlib-stream',
  invalidSessionDelay: { min: 1000, max: 5000 },
  helloTimeout: 20_000,
  requestTimeout: 10_000,
} as const satisfies Partial<GatewayConnectionOptions>;
