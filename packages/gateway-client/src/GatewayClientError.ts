export type GatewayClientErrorCode =
  /** The server closed with a code after which reconnecting cannot help (4004, 4010–4014). */
  | 'FATAL_CLOSE'
  /** The requested compression is not available in this runtime (zstd-stream in browsers, or on Node 20 without zstd-napi). */
  | 'UNSUPPORTED_COMPRESSION'
  /** `GET /gateway/bot` failed or answered something unusable. */
  | 'GATEWAY_BOT_FAILED'
  /** `session_start_limit.remaining` is below the number of shards to start. */
  | 'SESSION_START_LIMIT'
  /** A frame could not be inflated or decoded; the connection is dropped and resumed. */
  | 'DECODE_FAILED'
  /** A request (e.g. `requestGuildMembers`) got no complete answer in time. */
  | 'TIMEOUT'
  /** The server answered a request with a RATE_LIMITED dispatch. */
  | 'RATE_LIMITED'
  /** The connection (or manager) was destroyed while the operation was pending. */
  | 'DESTROYED'
  /** Bad options. */
  | 'INVALID_OPTIONS';

export class GatewayClientError extends Error {
  override readonly name: string = 'GatewayClientError';
  readonly code: GatewayClientErrorCode;
  constructor(code: GatewayClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The server closed the connection with a fatal close code; `closeCode` says which. The connection stays closed. */
export class GatewayCloseError extends GatewayClientError {
  override readonly name: string = 'GatewayCloseError';
  readonly closeCode: number;
  readonly reason: string;
  constructor(closeCode: number, description: string, reason: string) {
    super('FATAL_CLOSE', `gateway closed with ${closeCode} (${description})${reason ? `: ${reason}` : ''}`);
    this.closeCode = closeCode;
    this.reason = reason;
  }
}

/** A request answered with a RATE_LIMITED dispatch; retry after `retryAfter` seconds. */
export class GatewayRateLimitError extends GatewayClientError {
  override readonly name: string = 'GatewayRateLimitError';
  readonly retryAfter: number;
  constructor(opcode: number, retryAfter: number) {
    super('RATE_LIMITED', `op ${opcode} rate limited, retry after ${retryAfter} s`);
    this.retryAfter = retryAfter;
  }
}
