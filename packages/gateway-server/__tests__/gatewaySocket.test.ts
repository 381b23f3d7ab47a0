import { Duplex } from 'node:stream';
import { getEncoding } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import { PreparedDispatch } from '../src/PreparedDispatch.js';
import type { LiveConnection } from '../src/session/LiveSession.js';
import { Connection, type ConnectionHost } from '../src/transport/Connection.js';
import { CLOSED, CLOSING, OPEN } from '../src/transport/GatewaySocket.js';
import { gatewaySocketClass, type SocketEvents } from '../src/transport/gatewaySocketClass.js';

/** An upgraded socket: records what is written; `peer()` pushes client bytes, `peerEnds()` its FIN. */
class FakeSocket extends Duplex {
  readonly written: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written.push(Buffer.from(chunk));
    callback();
  }
  override _read(): void {}
  peer(bytes: Buffer): void {
    this.push(bytes);
  }
  peerEnds(): void {
    this.push(null);
  }
}

/** A masked client frame (RFC 6455 §5.3). */
function clientFrame(opcode: number, payload: Buffer | string, fin = true): Buffer {
  const data = Buffer.from(payload);
  const mask = Buffer.from([1, 2, 3, 4]);
  const length = data.length;
  const header =
    length < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | length])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, length >> 8, length & 255]);
  const masked = Buffer.from(data.map((b, i) => b ^ mask[i & 3]!));
  return Buffer.concat([header, mask, masked]);
}

const closeFrame = (code: number) => {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return clientFrame(8, payload);
};

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(maxBufferedBytes = 1 << 20) {
  const seen: unknown[][] = [];
  const events: SocketEvents = {
    maxPayload: 64 * 1024,
    maxBufferedBytes,
    message: (_connection, data, isBinary) => seen.push(['message', data.toString(), isBinary]),
    closed: (_connection, code) => seen.push(['closed', code]),
    socketError: (error) => seen.push(['error', error.message]),
  };
  const Socket = gatewaySocketClass(events);
  const socket = new FakeSocket();
  const ws = new Socket(socket);
  ws.connection = { id: 'c' } as unknown as LiveConnection;
  ws.attach(Buffer.alloc(0));
  return { ws, socket, seen };
}

describe('GatewaySocket (transport/GatewaySocket.ts)', () => {
  it('hands whole messages to the server and listens to its socket through shared listeners', async () => {
    const a = setup();
    const b = setup();
    a.socket.peer(clientFrame(1, '{"op":1}'));
    a.socket.peer(clientFrame(2, 'bin'));
    await tick();
    expect(a.seen).toEqual([
      ['message', '{"op":1}', false],
      ['message', 'bin', true],
    ]);
    // The same four functions on every socket: no closure per connection.
    for (const event of ['data', 'end', 'close', 'error'] as const) {
      expect(a.socket.listeners(event)).toHaveLength(1);
      expect(a.socket.listeners(event)[0]).toBe(b.socket.listeners(event)[0]);
    }
  });

  it('answers a ping with a pong of the same data, and cuts a client that leaves its pongs unread', async () => {
    const { ws, socket } = setup();
    socket.peer(clientFrame(9, 'hi'));
    await tick();
    expect(socket.written).toEqual([Buffer.from([0x8a, 2, 0x68, 0x69])]);
    const slow = setup(0);
    Object.defineProperty(slow.socket, 'writableLength', { value: 1 });
    slow.socket.peer(clientFrame(9, 'hi'));
    await tick();
    expect(slow.socket.destroyed).toBe(true);
    expect(ws.readyState).toBe(OPEN);
  });

  it('echoes the peer’s close code, ends the socket, and reports the code once it closes', async () => {
    const { ws, socket, seen } = setup();
    socket.peer(closeFrame(4000));
    await tick();
    expect(socket.written).toEqual([Buffer.from([0x88, 2, 0x0f, 0xa0])]);
    expect(ws.readyState).toBe(CLOSING);
    expect(socket.writableEnded).toBe(true);
    socket.peerEnds();
    await tick();
    await tick();
    expect(seen).toEqual([['closed', 4000]]);
    expect(ws.readyState).toBe(CLOSED);
  });

  it('answers a close frame without a code with an empty one, reported as 1005', async () => {
    const { socket, seen } = setup();
    socket.peer(clientFrame(8, Buffer.alloc(0)));
    socket.peerEnds();
    await tick();
    await tick();
    expect(socket.written).toEqual([Buffer.from([0x88, 0])]);
    expect(seen).toEqual([['closed', 1005]]);
  });

  it('sends its own close frame, writes nothing after it, and ends once the peer answers', async () => {
    const { ws, socket, seen } = setup();
    ws.close(4004, 'Authentication failed');
    expect(ws.writableSocket()).toBeNull();
    ws.send(Buffer.from('late'), false);
    expect(socket.written).toHaveLength(1);
    expect(socket.written[0]!.subarray(0, 4)).toEqual(Buffer.from([0x88, 23, 0x0f, 0xa4]));
    expect(socket.written[0]!.subarray(4).toString()).toBe('Authentication failed');
    expect(socket.writableEnded).toBe(false);
    socket.peer(closeFrame(4004));
    await tick();
    expect(socket.written).toHaveLength(1); // no echo of an answer
    expect(socket.writableEnded).toBe(true);
    socket.peerEnds();
    await tick();
    await tick();
    expect(seen).toEqual([['closed', 4004]]);
  });

  it('cuts a long close reason to 123 bytes at a character boundary, so the reason stays valid UTF-8', () => {
    for (const [reason, bytes] of [
      ['a'.repeat(200), 123],
      // 61 four-byte characters are 244 bytes: 30 of them (120 bytes) fit, the 31st would be split.
      ['😀'.repeat(61), 120],
      // 'a' then 61 two-byte characters: 1 + 61 × 2 = 123 bytes fit whole.
      [`a${'é'.repeat(70)}`, 123],
      [`${'é'.repeat(70)}`, 122],
    ] as const) {
      const { ws, socket } = setup();
      ws.close(4000, reason);
      const frame = socket.written[0]!;
      expect(frame[1]).toBe(2 + bytes);
      const text = frame.subarray(4);
      expect(text).toHaveLength(bytes);
      expect(new TextDecoder('utf-8', { fatal: true }).decode(text)).toBe(reason.slice(0, text.toString().length));
    }
  });

  it('cuts a peer that does not answer its close within the grace time', async () => {
    const { ws, socket, seen } = setup();
    ws.close(4009, '', 10);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(socket.destroyed).toBe(true);
    expect(seen).toEqual([['closed', 1006]]);
  });

  it('refuses a code a close frame may not carry (Connection.close then terminates)', () => {
    const { ws } = setup();
    expect(() => ws.close(1005)).toThrow(TypeError);
    expect(ws.readyState).toBe(OPEN);
  });

  it('reports 1006 once when the socket ends without a close frame', async () => {
    const { socket, seen } = setup();
    socket.peerEnds();
    await tick();
    await tick();
    socket.destroy();
    await tick();
    expect(seen).toEqual([['closed', 1006]]);
  });

  it('answers a protocol error with its close code, reports it, and reads nothing after it', async () => {
    const { socket, seen } = setup();
    const unmasked = Buffer.from([0x81, 2, 0x68, 0x69]);
    socket.peer(Buffer.concat([unmasked, clientFrame(1, '{}')]));
    await tick();
    expect(socket.written).toEqual([Buffer.from([0x88, 2, 0x03, 0xea])]);
    expect(seen).toEqual([['error', 'WebSocket protocol error (1002): client frame not masked']]);
  });

  it('gives Connection its socket for whole frames while open: a dispatch is one write of the whole frame', () => {
    const { ws, socket } = setup();
    const host: ConnectionHost = {
      maxBufferedBytes: 1 << 20,
      payloadCompressionThreshold: 1024,
      zlibLevel: 6,
      metrics: undefined,
      onBackpressure() {},
    };
    const connection = new Connection({
      ws,
      encoding: getEncoding('json'),
      compression: 'none',
      compressor: null,
      host,
      origin: 'localhost',
      now: Date.now(),
    });
    expect(ws.writableSocket()).toBe(socket);
    const d = new PreparedDispatch('TYPING_START', { channel_id: '1', user_id: '2', timestamp: 3 });
    connection.sendDispatch(d, true, 7);
    expect(socket.written).toEqual([d.wsFrame(getEncoding('json'), true, 7)]);
    socket.destroy();
    expect(ws.writableSocket()).toBeNull();
  });
});
