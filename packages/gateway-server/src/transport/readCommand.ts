import type { LiveConnection } from '../session/LiveSession.js';
import type { GatewayMetrics } from '../types.js';
import { etfUsesAtomKeys } from '../wire/etfAtomKeys.js';
import { CloseCode, decodeJson } from '../wire/protocol.js';

/** How the server reads clients' JSON: integers beyond 2^53 (snowflakes sent as numbers) as exact strings. */
const CLIENT_JSON = { unsafeIntegers: 'string' } as const;

/** The limits every client frame passes before it is decoded. */
export interface InboundLimits {
  readonly maxPayloadBytes: number;
  readonly rateLimit: { readonly commands: number; readonly windowMs: number };
}

/** A decoded client payload: `op` checked to be a number, `d` as sent. */
export interface GatewayCommand {
  op: number;
  d?: unknown;
}

/**
 * One client frame up to its opcode: marks the connection alive, applies the size and rate limits, decodes it in
 * the connection's encoding. null = the connection was closed for it (4002 decode error, 4008 rate limited).
 */
export function readCommand(
  connection: LiveConnection,
  data: Buffer,
  isBinary: boolean,
  limits: InboundLimits,
  metrics: GatewayMetrics | undefined,
): GatewayCommand | null {
  if (connection.closed) return null;
  const now = Date.now();
  connection.lastSeen = now;
  connection.heartbeatRequested = false;
  metrics?.bytesReceived(data.length);
  if (data.length > limits.maxPayloadBytes) {
    connection.close(CloseCode.DecodeError, 'Payload too large');
    return null;
  }
  const { commands, windowMs } = limits.rateLimit;
  if (now - connection.windowStart >= windowMs) {
    connection.windowStart = now;
    connection.commandCount = 0;
  }
  if (++connection.commandCount > commands) {
    metrics?.rateLimited?.('commands');
    connection.close(CloseCode.RateLimited, 'Rate limited');
    return null;
  }
  if (connection.encoding.name === 'etf' && etfUsesAtomKeys(data)) {
    connection.close(CloseCode.DecodeError, 'ETF keys must be binaries');
    return null;
  }
  let payload: unknown;
  try {
    // JSON keeps integers beyond 2^53 exact (clients may send snowflakes as numbers); other codecs already do.
    payload =
      connection.encoding.name === 'json'
        ? decodeJson(isBinary ? data : data.toString('utf8'), CLIENT_JSON)
        : connection.encoding.decode(isBinary || connection.encoding.binary ? data : data.toString('utf8'));
  } catch {
    connection.close(CloseCode.DecodeError, 'Decode error');
    return null;
  }
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload) ||
    typeof (payload as GatewayCommand).op !== 'number'
  ) {
    connection.close(CloseCode.DecodeError, 'Decode error');
    return null;
  }
  metrics?.command?.((payload as GatewayCommand).op);
  return payload as GatewayCommand;
}
