import { GatewayOpcodes } from '@concord/protocol';
import { GatewayClientError } from '../GatewayClientError.js';
import { RESUMABLE_CLOSE, SESSION_ENDING_CLOSE } from './closeCodes.js';

/** A decoded frame that passed `isGatewayPayload`. */
export interface InboundPayload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

/** How the next connection starts: with Resume (if a session is left) or with Identify. */
export type Recovery = 'resume' | 'identify';

/**
 * What an op handler may do to its connection. Narrow on purpose: a handler decides, the connection carries out,
 * and a handler can be exercised with a stub.
 */
export interface InboundOpContext {
  /** op 0, the hot path: sequence, exactly-once across resumes, READY/RESUMED, events. */
  dispatch(payload: InboundPayload): void;
  /** Writes op 1 now (outside the heartbeat timer). */
  sendHeartbeat(): void;
  heartbeatAck(): void;
  /** A valid Hello: start heartbeating, then Identify or Resume. */
  hello(heartbeatInterval: number): void;
  hasSession(): boolean;
  clearSession(): void;
  /** Ms to wait before identifying again after a non-resumable op 9 (random within `invalidSessionDelay`). */
  invalidSessionDelay(): number;
  /** Closes the socket from this side and reconnects with `recovery` after `delay` ms. */
  drop(recovery: Recovery, code: number, reason: string, terminate: boolean, delay?: number): void;
  error(error: Error): void;
  debug(message: string): void;
}

export type InboundOpHandler = (context: InboundOpContext, payload: InboundPayload) => void;

/** One handler per opcode the gateway sends; any other op is logged and ignored. */
export const inboundOpHandlers: Readonly<Partial<Record<number, InboundOpHandler>>> = {
  [GatewayOpcodes.Dispatch]: (context, payload) => context.dispatch(payload),
  [GatewayOpcodes.Heartbeat]: (context) => {
    context.debug('server requested a heartbeat');
    context.sendHeartbeat();
  },
  [GatewayOpcodes.Reconnect]: (context) => {
    context.debug('op 7 reconnect');
    context.drop('resume', RESUMABLE_CLOSE, 'reconnect requested', false);
  },
  [GatewayOpcodes.InvalidSession]: (context, payload) => {
    const resumable = payload.d === true && context.hasSession();
    context.debug(`op 9 invalid session (resumable: ${payload.d === true})`);
    if (resumable) {
      context.drop('resume', RESUMABLE_CLOSE, 'invalid session (resumable)', false);
    } else {
      context.clearSession();
      context.drop('identify', SESSION_ENDING_CLOSE, 'invalid session', false, context.invalidSessionDelay());
    }
  },
  [GatewayOpcodes.Hello]: (context, payload) => {
    const interval = (payload.d as { heartbeat_interval?: unknown } | null)?.heartbeat_interval;
    if (typeof interval !== 'number' || !(interval > 0)) {
      context.error(new GatewayClientError('DECODE_FAILED', 'Hello without a valid heartbeat_interval'));
      context.drop('resume', RESUMABLE_CLOSE, 'bad hello', false);
      return;
    }
    context.hello(interval);
  },
  [GatewayOpcodes.HeartbeatAck]: (context) => context.heartbeatAck(),
};
