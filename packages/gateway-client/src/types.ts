import type { GatewayDispatchPayload } from '@concord/protocol';
import type { GatewayReadyDispatchData } from '@concord/protocol/payloads';

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
