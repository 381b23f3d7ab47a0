import { Socket } from 'node:net';
import { getEncoding } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import { Connection, type ConnectionHost } from '../src/transport/Connection.js';
import { dropClearedIdleTimer, writableSocketOf } from '../src/transport/socketInternals.js';

/** A socket as `ws` keeps it in `_socket`: records what is written straight to it. */
function fakeSocket() {
  const writes: Buffer[] = [];
  return {
    writes,
    destroyed: false,
    writableCorked: 0,
    writableLength: 0,
    cork() {
      this.writableCorked++;
    },
    uncork() {
      this.writableCorked--;
    },
    write(chunk: Buffer) {
      writes.push(chunk);
      return true;
    },
  };
}

/** A `ws` WebSocket stand-in; `internals: false` leaves out the private fields (another `ws` version, a wrapper). */
function fakeWs(internals: boolean) {
  const socket = fakeSocket();
  const sent: { data: Uint8Array; binary: boolean }[] = [];
  const ws = {
    readyState: 1,
    bufferedAmount: 0,
    send(data: Uint8Array, options: { binary: boolean }) {
      sent.push({ data, binary: options.binary });
    },
    ...(internals ? { _socket: socket, _sender: { _state: 0 } } : {}),
  };
  return { ws: ws as unknown as WebSocket, socket, sent };
}

const host: ConnectionHost = {
  maxBufferedBytes: 1 << 20,
  payloadCompressionThreshold: 1024,
  zlibLevel: 6,
  metrics: undefined,
  onBackpressure() {},
};

function connectionOver(ws: WebSocket): Connection {
  return new Connection({
    ws,
    encoding: getEncoding('json'),
    compression: 'none',
    compressor: null,
    host,
    origin: 'localhost',
    now: Date.now(),
  });
}

const dispatch = () => new PreparedDispatch('TYPING_START', { channel_id: '1', user_id: '2', timestamp: 3 });

describe('ws internals (transport/socketInternals.ts)', () => {
  it('takes the fast path when the internals are there: the whole frame written to the socket, ws.send unused', () => {
    const { ws, socket, sent } = fakeWs(true);
    expect(writableSocketOf(ws)).toBe(socket);
    const d = dispatch();
    connectionOver(ws).sendDispatch(d, true, 7);
    expect(sent).toHaveLength(0);
    expect(socket.writes).toHaveLength(1);
    expect(socket.writes[0]).toEqual(d.wsFrame(getEncoding('json'), true, 7));
  });

  it('falls back to ws.send when they are not (no _sender), with the same payload', () => {
    const { ws, socket, sent } = fakeWs(false);
    expect(writableSocketOf(ws)).toBeNull();
    const d = dispatch();
    connectionOver(ws).sendDispatch(d, true, 7);
    expect(socket.writes).toHaveLength(0);
    expect(sent).toHaveLength(1);
    expect(Buffer.from(sent[0]!.data)).toEqual(d.frame(getEncoding('json'), true, 7));
    expect(JSON.parse(Buffer.from(sent[0]!.data).toString('utf8'))).toMatchObject({ op: 0, s: 7, t: 'TYPING_START' });
  });

  it('falls back while the ws Sender is busy or the socket is gone', () => {
    const busy = fakeWs(true);
    (busy.ws as unknown as { _sender: { _state: number } })._sender._state = 1;
    expect(writableSocketOf(busy.ws)).toBeNull();
    const gone = fakeWs(true);
    gone.socket.destroyed = true;
    expect(writableSocketOf(gone.ws)).toBeNull();
  });
});

describe('dropClearedIdleTimer', () => {
  const timerOf = (socket: Socket) => {
    const key = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'timeout');
    expect(key).toBeDefined();
    return (socket as unknown as Record<symbol, unknown>)[key!];
  };

  it('forgets an idle timer that was turned off, and leaves an armed one alone', () => {
    const off = new Socket();
    off.setTimeout(10_000);
    off.setTimeout(0);
    expect(timerOf(off)).not.toBeNull();
    dropClearedIdleTimer(off);
    expect(timerOf(off)).toBeNull();
    // Arming it again afterwards still works (Node creates a new timer).
    off.setTimeout(5_000);
    expect(timerOf(off)).not.toBeNull();
    off.setTimeout(0);

    const armed = new Socket();
    armed.setTimeout(10_000);
    dropClearedIdleTimer(armed);
    expect(timerOf(armed)).not.toBeNull();
    armed.setTimeout(0);
    armed.destroy();
    off.destroy();
  });
});
