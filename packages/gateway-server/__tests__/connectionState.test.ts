import { createServer, connect as netConnect, Socket } from 'node:net';
import { getEncoding } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionHost } from '../src/transport/Connection.js';
import type { GatewaySocket } from '../src/transport/GatewaySocket.js';
import { fromEpoch, sinceEpoch } from '../src/transport/processClock.js';
import { sharedString } from '../src/transport/sharedStrings.js';
import { peerAddressOf } from '../src/transport/socketInternals.js';

const host: ConnectionHost = {
  maxBufferedBytes: 1 << 20,
  payloadCompressionThreshold: 1024,
  zlibLevel: 6,
  metrics: undefined,
  onBackpressure() {},
};

/** A gateway socket stand-in with no socket to write to: everything goes through `send`, `close` is recorded. */
function fakeWs() {
  const closes: number[] = [];
  const ws = {
    readyState: 1,
    bufferedAmount: 0,
    send() {},
    writableSocket: () => null,
    close(code: number) {
      closes.push(code);
    },
    terminate() {},
  };
  return { ws: ws as unknown as GatewaySocket, closes };
}

function connection(init: Partial<ConstructorParameters<typeof Connection>[0]> = {}) {
  return new Connection({
    ws: fakeWs().ws,
    encoding: getEncoding('json'),
    compression: 'none',
    compressor: null,
    host,
    origin: 'localhost:1',
    now: 1_700_000_000_123,
    ...init,
  });
}

describe('Connection state (transport/Connection.ts)', () => {
  it('keeps each boolean apart though they share one field', () => {
    const c = connection();
    expect([c.closed, c.authenticating, c.heartbeatRequested, c.payloadCompression]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    c.authenticating = true;
    c.payloadCompression = true;
    expect([c.closed, c.authenticating, c.heartbeatRequested, c.payloadCompression]).toEqual([
      false,
      true,
      false,
      true,
    ]);
    c.heartbeatRequested = true;
    c.authenticating = false;
    expect([c.closed, c.authenticating, c.heartbeatRequested, c.payloadCompression]).toEqual([
      false,
      false,
      true,
      true,
    ]);
    c.payloadCompression = false;
    c.heartbeatRequested = false;
    expect([c.closed, c.authenticating, c.heartbeatRequested, c.payloadCompression]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('is closed after close() or dispose(), with the code it sent, and the other flags untouched', () => {
    const { ws, closes } = fakeWs();
    const c = connection({ ws });
    c.authenticating = true;
    c.close(4009, 'bye');
    expect(c.closed).toBe(true);
    expect(c.closeCode).toBe(4009);
    expect(c.authenticating).toBe(true);
    c.close(4000);
    expect(closes).toEqual([4009]);
    const d = connection();
    d.dispose();
    expect(d.closed).toBe(true);
    expect(d.closeCode).toBeNull();
  });

  it('answers timestamps in Date.now() time, as given', () => {
    const c = connection({ now: 1_700_000_000_123 });
    expect(c.openedAt).toBe(1_700_000_000_123);
    expect(c.lastSeen).toBe(1_700_000_000_123);
    expect(c.windowStart).toBe(1_700_000_000_123);
    c.lastSeen = 1_700_000_041_250;
    c.windowStart = 1_700_000_060_000;
    expect(c.lastSeen).toBe(1_700_000_041_250);
    expect(c.windowStart).toBe(1_700_000_060_000);
    expect(c.openedAt).toBe(1_700_000_000_123);
  });

  it('answers what its connect URL asked for, shared with connections that asked the same', () => {
    const a = connection({ encoding: getEncoding('etf'), compression: 'zlib-stream', version: 9, sharedZlib: true });
    expect(a.encoding).toBe(getEncoding('etf'));
    expect(a.encodingLabel).toBe('etf');
    expect(a.compression).toBe('zlib-stream');
    expect(a.version).toBe(9);
    expect(a.host).toBe(host);
    const b = connection();
    expect(b.encoding).toBe(getEncoding('json'));
    expect(b.compression).toBe('none');
    expect(b.version).toBe(10);
    const other: ConnectionHost = { ...host };
    expect(connection({ host: other }).host).toBe(other);
    expect(connection().host).toBe(host);
  });

  it('keeps the address and origin as given ("" without an address)', () => {
    const c = connection({ origin: 'chat.example:443', remoteAddress: '203.0.113.7' });
    expect(c.origin).toBe('chat.example:443');
    expect(c.remoteAddress).toBe('203.0.113.7');
    expect(connection().remoteAddress).toBe('');
  });
});

describe('processClock', () => {
  it('round-trips Date.now() times through small offsets', () => {
    const now = Date.now();
    expect(fromEpoch(sinceEpoch(now))).toBe(now);
    expect(Math.abs(sinceEpoch(now))).toBeLessThan(2 ** 30);
    expect(sinceEpoch(now + 41_250) - sinceEpoch(now)).toBe(41_250);
  });
});

describe('sharedString', () => {
  it('answers one string for equal texts', () => {
    const a = sharedString(['127.0.', '0.1'].join(''));
    const b = sharedString(['127.0.0', '.1'].join(''));
    expect(a).toBe('127.0.0.1');
    expect(b).toBe(a);
    // Still right past the table's bound (it starts over).
    for (let i = 0; i < 5000; i++) expect(sharedString(`10.0.${i >> 8}.${i & 255}`)).toBe(`10.0.${i >> 8}.${i & 255}`);
    expect(sharedString('127.0.0.1')).toBe('127.0.0.1');
  });

  it('answers long texts as they are (it keeps none of them)', () => {
    const long = 'h'.repeat(200);
    expect(sharedString(long)).toBe(long);
  });
});

describe('peerAddressOf (transport/socketInternals.ts)', () => {
  it('reads a connected socket’s peer address without Node keeping _peername on it', async () => {
    const server = createServer();
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client = netConnect(port, '127.0.0.1');
    const socket = await accepted;
    try {
      expect(peerAddressOf(socket)).toBe('127.0.0.1');
      expect((socket as unknown as { _peername?: unknown })._peername).toBeUndefined();
      // What Node answers itself, for the same socket.
      expect(socket.remoteAddress).toBe('127.0.0.1');
    } finally {
      client.destroy();
      socket.destroy();
      server.close();
    }
  });

  it('falls back to remoteAddress when the socket has no handle (closed, or not a net.Socket)', () => {
    expect(peerAddressOf(new Socket())).toBe('');
    const other = { remoteAddress: '198.51.100.2' } as unknown as Socket;
    expect(peerAddressOf(other)).toBe('198.51.100.2');
    const failing = { _handle: { getpeername: () => -22 }, remoteAddress: '198.51.100.3' } as unknown as Socket;
    expect(peerAddressOf(failing)).toBe('198.51.100.3');
  });
});
