import { GatewayOpcodes } from '@concord/protocol';
import { describe, expect, it, vi } from 'vitest';
import { type InboundOpContext, type InboundPayload, inboundOpHandlers } from '../src/connection/inboundOpHandlers.js';

/** A context that records what the handler asked for: no socket, no timers. */
function stubContext(hasSession: boolean) {
  const calls: unknown[][] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
    };
  const context: InboundOpContext = {
    dispatch: record('dispatch'),
    sendHeartbeat: record('sendHeartbeat'),
    heartbeatAck: record('heartbeatAck'),
    hello: record('hello'),
    hasSession: () => hasSession,
    clearSession: record('clearSession'),
    invalidSessionDelay: () => 1234,
    drop: record('drop'),
    error: vi.fn(),
    debug: () => {},
  };
  return { context, calls };
}

function handle(op: number, d: unknown, hasSession = true) {
  const stub = stubContext(hasSession);
  const payload: InboundPayload = { op, d, s: null, t: null };
  const handler = inboundOpHandlers[op];
  if (!handler) throw new Error(`no handler for op ${op}`);
  handler(stub.context, payload);
  return stub;
}

describe('inbound op handlers', () => {
  it('hands dispatches, heartbeat requests and ACKs to the connection', () => {
    expect(handle(GatewayOpcodes.Dispatch, {}).calls.map((c) => c[0])).toEqual(['dispatch']);
    expect(handle(GatewayOpcodes.Heartbeat, null).calls).toEqual([['sendHeartbeat']]);
    expect(handle(GatewayOpcodes.HeartbeatAck, null).calls).toEqual([['heartbeatAck']]);
  });

  it('starts the session on a valid Hello and drops (to resume) on a Hello without an interval', () => {
    expect(handle(GatewayOpcodes.Hello, { heartbeat_interval: 41_250 }).calls).toEqual([['hello', 41_250]]);
    for (const d of [null, {}, { heartbeat_interval: 0 }, { heartbeat_interval: '41250' }]) {
      const { calls, context } = handle(GatewayOpcodes.Hello, d);
      expect(calls).toEqual([['drop', 'resume', 4000, 'bad hello', false]]);
      expect(context.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'DECODE_FAILED' }));
    }
  });

  it('op 7 resumes on a new socket', () => {
    expect(handle(GatewayOpcodes.Reconnect, null).calls).toEqual([
      ['drop', 'resume', 4000, 'reconnect requested', false],
    ]);
  });

  it('op 9 resumes only when it says so and a session is left, else forgets the session and identifies later', () => {
    expect(handle(GatewayOpcodes.InvalidSession, true).calls).toEqual([
      ['drop', 'resume', 4000, 'invalid session (resumable)', false],
    ]);
    const identifyAgain = [['clearSession'], ['drop', 'identify', 1000, 'invalid session', false, 1234]];
    expect(handle(GatewayOpcodes.InvalidSession, false).calls).toEqual(identifyAgain);
    expect(handle(GatewayOpcodes.InvalidSession, true, false).calls).toEqual(identifyAgain);
  });

  it('has no handler for ops the gateway never sends to a client', () => {
    for (const op of [GatewayOpcodes.Identify, GatewayOpcodes.Resume, GatewayOpcodes.RequestGuildMembers, 99]) {
      expect(inboundOpHandlers[op]).toBeUndefined();
    }
  });
});
